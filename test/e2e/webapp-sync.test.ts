import { describe, expect, it } from "vitest"
import { launchBrowser, POLL, openWindow, screenshot, startApp } from "./helpers/browser.js"
import { waitFor } from "./helpers/cli.js"
import { Device, PASSWORD } from "./helpers/devices.js"

async function unlockInWindow(page: import("playwright-core").Page): Promise<void> {
  await page.getByLabel("Account password").fill(PASSWORD)
  await page.getByRole("button", { name: "Unlock" }).click()
  await page.getByRole("listbox", { name: "Records" }).waitFor()
}

describe("lanvault app with a second device", () => {
  it("adds and edits a record, shows one added on another device live, and the history of a conflict made there", async () => {
    const a = await Device.create("alpha")
    const b = await Device.create("beta")
    await a.init()
    await a.start()
    await a.unlock()
    const { joinResult } = await b.joinThrough(a)
    expect(joinResult.code).toBe(0)
    await b.start()
    await b.unlock()
    await a.client!.call("lock", {})

    const app = await startApp(a)
    const browser = await launchBrowser()
    const { page } = await openWindow(browser, app)
    await unlockInWindow(page)
    const list = page.getByRole("listbox", { name: "Records" })

    // Add, with the generator and the strength meter.
    await page.getByRole("button", { name: "New record" }).click()
    const editor = page.getByRole("form", { name: "New record" })
    await editor.getByLabel("Title").fill("Mail")
    await editor.getByLabel("Value of username").fill("me@mail.example")
    expect(await editor.getByRole("meter", { name: "Strength of password" }).getAttribute("aria-valuetext")).toBe("empty")
    await editor.getByLabel("Value of password").fill("password1")
    await expect.poll(() => editor.getByRole("meter", { name: "Strength of password" }).getAttribute("aria-valuetext"), POLL).toBe("too guessable")
    await editor.getByRole("button", { name: "Generate password" }).click()
    await expect.poll(() => editor.getByRole("meter", { name: "Strength of password" }).getAttribute("aria-valuetext"), POLL).toBe("very unguessable")
    await editor.getByRole("button", { name: "Show password" }).click()
    const generated = await editor.getByLabel("Value of password").inputValue()
    expect(generated).toHaveLength(20)
    await screenshot(page, "editor")
    await editor.getByRole("button", { name: "Save" }).click()
    const mail = page.getByRole("article", { name: "Mail" })
    await mail.waitFor()
    await list.getByRole("option", { name: "Mail" }).waitFor()
    // It reached the other device.
    await waitFor(async () => (await b.titles()).includes("Mail"), "Mail on beta")

    // Edit: a new title and a new password; trash and restore.
    await mail.getByRole("button", { name: "Edit" }).click()
    const edit = page.getByRole("form", { name: "Edit record" })
    await edit.getByLabel("Title").fill("Mail (home)")
    await edit.getByLabel("Value of password").fill("from-alpha-window")
    await edit.getByRole("button", { name: "Save" }).click()
    const edited = page.getByRole("article", { name: "Mail (home)" })
    await edited.waitFor()
    await edited.getByRole("button", { name: "Move to trash" }).click()
    await expect.poll(() => list.getByRole("option", { name: "Mail (home)" }).count(), POLL).toBe(0)
    await page.getByRole("checkbox", { name: "Trash" }).check()
    await list.getByRole("option", { name: "Mail (home)" }).click()
    await page.getByRole("article", { name: "Mail (home)" }).getByRole("button", { name: "Restore" }).click()
    await expect.poll(() => list.getByRole("option", { name: "Mail (home)" }).count(), POLL).toBe(0)
    await page.getByRole("checkbox", { name: "Trash" }).uncheck()
    await list.getByRole("option", { name: "Mail (home)" }).waitFor()
    const [mailId] = (await a.client!.call("records.list", { query: "Mail (home)" })).map((r) => r.id)
    await waitFor(async () => (await b.client!.call("records.get", { id: mailId })).fields.password?.value === "from-alpha-window", "the edit on beta")

    // A record added on beta appears in alpha's window without a reload.
    await b.client!.call("records.create", { record: { type: "login", title: "Added on beta", fields: {} } })
    await list.getByRole("option", { name: "Added on beta" }).waitFor({ timeout: 15_000 })
    await expect.poll(() => page.getByText(/Last change received/).count(), POLL).toBe(1)

    // A conflict: both devices change the same password while apart.
    await a.stop()
    await b.client!.call("records.update", { id: mailId, set: { fields: { password: { value: "from-beta-offline", kind: "secret" } } } })
    await b.stop()
    await a.start()
    // The window notices the restarted (locked) daemon by itself and asks for the password again.
    await page.getByLabel("Account password").waitFor({ timeout: 15_000 })
    await unlockInWindow(page)
    await list.getByRole("option", { name: "Mail (home)" }).click()
    const record = page.getByRole("article", { name: "Mail (home)" })
    await record.getByRole("button", { name: "Edit" }).click()
    await page.getByRole("form", { name: "Edit record" }).getByLabel("Value of password").fill("from-alpha-offline")
    await page.getByRole("form", { name: "Edit record" }).getByRole("button", { name: "Save" }).click()
    await record.waitFor()
    await b.start()
    await b.unlock()
    await waitFor(async () => (await a.client!.call("records.history", { id: mailId })).some((h) => h.reason === "conflict"), "the conflict on alpha")
    await record.getByRole("button", { name: "History" }).click()
    const history = page.getByRole("region", { name: "History" })
    await history.getByRole("row", { name: /lost a concurrent edit/ }).first().waitFor()
    const loser = history.getByRole("row", { name: /lost a concurrent edit/ }).first()
    expect(await loser.textContent()).not.toMatch(/from-(alpha|beta)-offline/)
    await loser.getByRole("button", { name: /^Reveal earlier password/ }).click()
    expect(await loser.textContent()).toMatch(/from-(alpha|beta)-offline/)
    // The winner is the current value; the loser is the other one (no edit lost).
    await record.getByRole("button", { name: "Reveal password" }).click()
    const current = (await record.textContent())!.match(/from-(alpha|beta)-offline/)![0]
    expect(await loser.textContent()).not.toContain(current)
    await screenshot(page, "history")
  }, 180_000)

  it("pairs a new device through the window, showing the same code as the new device", async () => {
    const a = await Device.create("alpha")
    const b = await Device.create("beta")
    await a.init()
    await a.start()
    await a.unlock()
    const app = await startApp(a)
    const browser = await launchBrowser()
    const { page } = await openWindow(browser, app)
    await page.getByRole("button", { name: "Devices" }).click()
    await page.getByRole("cell", { name: "alpha", exact: true }).waitFor()
    await page.getByRole("button", { name: "Open pairing window" }).click()
    await page.getByText(/pairing window is open until/).waitFor()
    const joined = await b.cli(["join", "--peer", `127.0.0.1:${a.port}`, "--account-key-stdin", "--name", "beta", "--json"], {}, `${a.accountKey}\n`)
    expect(joined.code).toBe(0)
    const joinCode = JSON.parse(joined.stdout).code as string
    expect(joinCode).toMatch(/^\d{6}$/)
    const shown = page.getByLabel("Pairing code")
    await shown.waitFor()
    expect((await shown.textContent())!.replace(/\s/g, "")).toBe(joinCode)
    await page.getByRole("cell", { name: "beta", exact: true }).waitFor()
    await page.getByRole("button", { name: "Rename beta" }).waitFor()
    await screenshot(page, "devices")
  }, 90_000)
})
