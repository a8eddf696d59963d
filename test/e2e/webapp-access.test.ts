import type { CDPSession, Page } from "playwright-core"
import { describe, expect, it } from "vitest"
import { launchBrowser, openWindow, startApp } from "./helpers/browser.js"
import { PASSWORD } from "./helpers/devices.js"
import { startFirstDevice } from "../helpers/device-start.js"

/** Roles a person operates; each needs a name, and (but options, reached with the arrow keys inside their list) a Tab stop. */
const CONTROL_ROLES = new Set(["button", "textbox", "searchbox", "combobox", "checkbox", "listbox", "link", "spinbutton", "radio", "switch", "option"])
/** Enough Tab presses to go round any view of the window twice. */
const MAX_TABS = 120

interface AxNode {
  nodeId: string
  ignored: boolean
  role?: { value: string }
  name?: { value: string }
  properties?: Array<{ name: string; value: { value: unknown } }>
  backendDOMNodeId?: number
}

interface Control {
  role: string
  name: string
  disabled: boolean
  focused: boolean
}

/** The controls Chromium's accessibility tree shows now, with the names a screen reader would read. */
async function controls(cdp: CDPSession): Promise<Control[]> {
  const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as unknown as { nodes: AxNode[] }
  const property = (node: AxNode, name: string) => node.properties?.find((p) => p.name === name)?.value.value
  return nodes
    .filter((node) => !node.ignored && CONTROL_ROLES.has(node.role?.value ?? ""))
    .map((node) => ({
      role: node.role!.value,
      name: (node.name?.value ?? "").trim(),
      disabled: property(node, "disabled") === true,
      focused: property(node, "focused") === true,
    }))
}

/** Presses Tab until focus comes back round, collecting every control it stopped on. */
async function tabStops(page: Page, cdp: CDPSession): Promise<Set<string>> {
  const seen = new Set<string>()
  let first: string | undefined
  for (let i = 0; i < MAX_TABS; i++) {
    await page.keyboard.press("Tab")
    const focused = (await controls(cdp)).find((c) => c.focused)
    if (focused === undefined) continue
    const key = `${focused.role}:${focused.name}`
    if (key === first) return seen
    first ??= key
    seen.add(key)
  }
  return seen
}

/** Every control of the view has a name, and every enabled one but list options is a Tab stop. */
async function checkView(page: Page, cdp: CDPSession, view: string): Promise<void> {
  const now = await controls(cdp)
  expect(now.length, `${view}: controls`).toBeGreaterThan(0)
  expect(now.filter((c) => c.name === "").map((c) => `${c.role} without a name`), view).toEqual([])
  const stops = await tabStops(page, cdp)
  const unreachable = now.filter((c) => !c.disabled && c.role !== "option").map((c) => `${c.role}:${c.name}`).filter((key) => !stops.has(key))
  expect(unreachable, `${view}: controls the keyboard cannot reach`).toEqual([])
}

describe("lanvault app: names and keyboard", () => {
  it("every control of every view has an accessible name and is a Tab stop; opening, history, editor, sections, restore and lock work with Enter and the arrow keys", async () => {
    const a = await startFirstDevice("alpha")
    const { id } = await a.client!.call("records.create", {
      record: { type: "login", title: "GitHub", fields: { username: { value: "octo", kind: "text" }, password: { value: "gh-1", kind: "secret" }, url: { value: "https://github.com", kind: "url" }, totp: { value: "JBSWY3DPEHPK3PXP", kind: "totp" } }, tags: ["work"] },
    })
    await a.client!.call("records.update", { id, set: { fields: { password: { value: "gh-2", kind: "secret" } } } })
    await a.client!.call("backup.create", {})
    await a.client!.call("lock", {})
    const app = await startApp(a)
    const browser = await launchBrowser()
    const { context, page } = await openWindow(browser, app)
    const cdp = await context.newCDPSession(page)

    // Unlock: the password field has the focus; type and press Enter.
    await page.getByLabel("Account password").waitFor()
    await checkView(page, cdp, "unlock")
    await page.getByLabel("Account password").focus()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    const list = page.getByRole("listbox", { name: "Records" })
    await list.getByRole("option", { name: "GitHub" }).waitFor()

    // Records: open the record from the list with the keyboard, then its history.
    await list.focus()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    const record = page.getByRole("article", { name: "GitHub" })
    await record.getByRole("button", { name: "History" }).focus()
    await page.keyboard.press("Enter")
    await page.getByRole("region", { name: "History" }).waitFor()
    await checkView(page, cdp, "records, a record and its history")

    // The editor, opened with the keyboard.
    await page.getByRole("button", { name: "New record" }).focus()
    await page.keyboard.press("Enter")
    await page.getByRole("form", { name: "New record" }).waitFor()
    await checkView(page, cdp, "new record")

    for (const section of ["Devices", "Settings"]) {
      await page.getByRole("button", { name: section, exact: true }).focus()
      await page.keyboard.press("Enter")
      await page.getByRole("heading", { name: section === "Devices" ? /devices/i : "Settings" }).first().waitFor()
      if (section === "Settings") {
        await page.getByRole("button", { name: /^Restore the backup of/ }).first().focus()
        await page.keyboard.press("Enter")
        await page.getByRole("form", { name: "Restore a backup" }).waitFor()
      }
      await checkView(page, cdp, section)
    }

    // Lock with the keyboard.
    await page.getByRole("button", { name: "Lock", exact: true }).focus()
    await page.keyboard.press("Enter")
    await page.getByLabel("Account password").waitFor()
    expect((await a.client!.call("status", {})).locked).toBe(true)
  }, 180_000)
})
