import { describe, expect, it } from "vitest"
import { launchBrowser, POLL, openWindow, screenshot, startApp } from "./helpers/browser.js"
import { spawnCli, waitFor } from "./helpers/cli.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import { startFirstDevice } from "../helpers/device-start.js"

async function unlockInWindow(page: import("playwright-core").Page): Promise<void> {
  await page.getByLabel("Account password").fill(PASSWORD)
  await page.getByRole("button", { name: "Unlock" }).click()
  await page.getByRole("listbox", { name: "Records" }).waitFor()
}

describe("lanvault app with a second device", () => {
  it("adds and edits a record, shows one added on another device live, and the history of a conflict made there", async () => {
    const a = await startFirstDevice("alpha")
    const b = await Device.create("beta")
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
    // Who made each value: the losing value names the device that wrote it, and so does the value both replaced.
    const loserValue = (await loser.textContent())!.match(/from-(alpha|beta)-offline/)![0]
    expect(await loser.getByRole("cell").nth(3).textContent()).toBe(loserValue === "from-alpha-offline" ? "alpha" : "beta")
    const replaced = history.getByRole("row").filter({ hasText: "edited" }).filter({ has: page.getByRole("button", { name: /^Reveal earlier password/ }) })
    await replaced.first().waitFor()
    const madeBy = await replaced.evaluateAll((rows) => rows.map((row) => (row as unknown as { cells: Array<{ textContent: string }> }).cells[3].textContent))
    expect(madeBy.length).toBeGreaterThan(0)
    expect(new Set(madeBy)).toEqual(new Set(["alpha"]))
    const viaSocket = await a.client!.call("records.history", { id: mailId })
    expect(viaSocket.find((h) => h.value === loserValue)).toMatchObject({ reason: "conflict", deviceName: loserValue === "from-alpha-offline" ? "alpha" : "beta" })
    await screenshot(page, "history")
  }, 180_000)

  it("pairs a new device through the window (the same code as the new device shows), renames and revokes it", async () => {
    const a = await startFirstDevice("alpha")
    const b = await Device.create("beta")
    const app = await startApp(a)
    const browser = await launchBrowser()
    const { page } = await openWindow(browser, app)
    await page.getByRole("button", { name: "Devices" }).click()
    await page.getByRole("cell", { name: "alpha", exact: true }).waitFor()
    await page.getByRole("button", { name: "Open pairing window" }).click()
    await page.getByText(/pairing window is open until/).waitFor()
    const joining = spawnCli(["join", "--peer", `127.0.0.1:${a.port}`, "--account-key-stdin", "--name", "beta", "--json"], { home: b.home, input: `${a.accountKey}\n` })
    // The new device shows its code and waits; the window asks whether both match, and nothing is shared before "Yes".
    const joinCode = (await waitFor(() => /The new device's code: (\d{6})/.exec(joining.output())?.[1], "the new device's code"))!
    const confirm = page.getByRole("alertdialog", { name: "Confirm the new device" })
    await confirm.waitFor()
    expect((await confirm.getByLabel("Pairing code").textContent())!.replace(/\s/g, "")).toBe(joinCode)
    expect((await a.client!.call("devices.list", {})).map((d) => d.name)).toEqual(["alpha"])
    await confirm.getByRole("button", { name: "Yes, it matches" }).click()
    expect(await joining.exited).toBe(0)
    expect(JSON.parse(joining.output().slice(joining.output().indexOf("{"))).code).toBe(joinCode)
    await page.getByText(`beta joined (code ${joinCode.slice(0, 3)} ${joinCode.slice(3)})`).waitFor()
    await page.getByRole("cell", { name: "beta", exact: true }).waitFor()
    await page.getByRole("button", { name: "Rename beta" }).waitFor()
    await screenshot(page, "devices")

    // Rename it, then revoke it from the window: the new account key is shown once, as text and as a QR code.
    await page.getByRole("button", { name: "Rename beta" }).click()
    await page.getByLabel("New name for beta").fill("beta laptop")
    await page.getByRole("button", { name: "Save name" }).click()
    await page.getByRole("cell", { name: "beta laptop", exact: true }).waitFor()
    expect((await a.client!.call("devices.list", {})).map((d) => d.name).sort()).toEqual(["alpha", "beta laptop"])
    page.once("dialog", (dialog) => void dialog.accept())
    await page.getByRole("button", { name: "Revoke beta laptop" }).click()
    const shownKey = page.getByRole("alert", { name: "New account key" })
    await shownKey.waitFor()
    const newKey = (await shownKey.locator("code").textContent())!
    expect(newKey).toMatch(/^LV1-/)
    expect(newKey).not.toBe(a.accountKey)
    expect(await shownKey.getByRole("img", { name: "QR code of the new account key" }).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0)
    await page.getByRole("cell", { name: "revoked" }).waitFor()
    expect(await page.getByRole("button", { name: "Revoke beta laptop" }).count()).toBe(0)
    await shownKey.getByRole("button", { name: "I have written it down" }).click()
    expect(await page.getByRole("alert", { name: "New account key" }).count()).toBe(0)
  }, 90_000)
})
