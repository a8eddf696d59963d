import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import type * as kdbxweb from "kdbxweb"
import type { Page } from "playwright-core"
import { describe, expect, it, onTestFinished } from "vitest"
import { codeOfAsync } from "../helpers/error-code.js"
import { kdbx } from "../../src/import/kdbx-engine.js"
import { launchBrowser, POLL, openWindow, screenshot, startApp } from "./helpers/browser.js"
import { waitFor } from "./helpers/cli.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import { startKeyringSession } from "./helpers/keyring-session.js"
import { startFirstDevice } from "../helpers/device-start.js"

const SECRET = "pw-in-the-vault-9!"
const KDBX_PASSWORD = "kdbx file pass 4"

/** Unlocks from the password screen; the window comes back on the section it showed before. */
async function unlockInWindow(page: Page): Promise<void> {
  await page.getByLabel("Account password").fill(PASSWORD)
  await page.getByRole("button", { name: "Unlock" }).click()
  await page.getByRole("button", { name: "Lock", exact: true }).waitFor()
}

/** Every URL the page asked for: no secret may ever be in one. */
function urlsOf(page: Page): string[] {
  const urls: string[] = []
  page.on("request", (request) => urls.push(request.url()))
  return urls
}

describe("lanvault app: Settings", () => {
  it("changes auto-lock (kept across a daemon restart) and turns quick unlock on and off through a real keychain", async () => {
    const keyring = await startKeyringSession()
    onTestFinished(() => keyring.stop())
    const a = await Device.create("alpha")
    await a.init()
    await a.start([], keyring.env)
    const app = await startApp(a)
    const browser = await launchBrowser()
    const { page } = await openWindow(browser, app)
    const urls = urlsOf(page)
    await unlockInWindow(page)
    await page.getByRole("button", { name: "Settings" }).click()
    const locking = page.getByRole("region", { name: "Locking" })
    await locking.getByText("The vault locks after 15 minutes without activity.").waitFor()

    await locking.getByLabel("Auto-lock after (minutes, 0 = never)").fill("3")
    await locking.getByRole("button", { name: "Save auto-lock" }).click()
    await locking.getByText("The vault locks after 3 minutes without activity.").waitFor()
    expect((await a.client!.call("status", {})).autoLockMinutes).toBe(3)
    await expect.poll(() => page.getByText(/^Auto-lock in [0-3]:\d\d$/).count(), POLL).toBe(1)
    // More than a week: the field itself refuses it (the daemon would too), and nothing changes.
    const minutes = locking.getByLabel("Auto-lock after (minutes, 0 = never)")
    await minutes.fill("20000")
    await locking.getByRole("button", { name: "Save auto-lock" }).click()
    expect(await minutes.evaluate((input) => (input as unknown as { validity: { rangeOverflow: boolean } }).validity.rangeOverflow)).toBe(true)
    expect((await a.client!.call("status", {})).autoLockMinutes).toBe(3)
    await minutes.fill("3")

    // Quick unlock on: the password is checked again, and the daemon keeps it in the (real) keychain.
    await locking.getByText("Quick unlock: off.").waitFor()
    await locking.getByLabel("Password to turn quick unlock on").fill("not the password")
    await locking.getByRole("button", { name: "Turn on quick unlock" }).click()
    await locking.getByRole("alert").waitFor()
    expect((await a.client!.call("status", {})).quickUnlock).toBeUndefined()
    await locking.getByLabel("Password to turn quick unlock on").fill(PASSWORD)
    await locking.getByRole("button", { name: "Turn on quick unlock" }).click()
    await locking.getByText(/^Quick unlock: on \(50 uses left/).waitFor()
    expect((await a.client!.call("status", {})).quickUnlock?.usesLeft).toBe(50)
    await screenshot(page, "settings")
    await a.client!.call("lock", {})
    expect((await a.client!.call("unlock", {})).quick?.usesLeft).toBe(49)
    await page.getByRole("button", { name: "Settings" }).click()
    await locking.getByRole("button", { name: "Turn off quick unlock" }).click()
    await locking.getByText("Quick unlock: off.").waitFor()
    expect((await a.client!.call("status", {})).quickUnlock).toBeUndefined()
    await a.client!.call("lock", {})
    expect(await codeOfAsync(a.client!.call("unlock", {}))).toBe("QUICK_UNLOCK_UNAVAILABLE")

    // The chosen auto-lock outlives the daemon.
    await a.stop()
    await a.start([], keyring.env)
    expect((await a.client!.call("status", {})).autoLockMinutes).toBe(3)
    // A locked vault keeps its auto-lock: whoever holds the locked device cannot make it stay open later.
    expect(await codeOfAsync(a.client!.call("settings.autoLock", { minutes: 0 }))).toBe("LOCKED")
    expect((await a.client!.call("status", {})).autoLockMinutes).toBe(3)
    expect(urls.filter((url) => url.includes(PASSWORD) || url.includes("not the password"))).toEqual([])
  }, 120_000)

  it("adds and removes a sync folder, downloads and saves exports, makes and restores a backup", async () => {
    const a = await startFirstDevice("alpha")
    await a.client!.call("records.create", { record: { type: "login", title: "Forum", fields: { username: { value: "me", kind: "text" }, password: { value: SECRET, kind: "secret" } } } })
    await a.client!.call("lock", {})
    const app = await startApp(a)
    const browser = await launchBrowser()
    const { page } = await openWindow(browser, app)
    const urls = urlsOf(page)
    // The save dialog of the File System Access API cannot be clicked in a headless browser:
    // this stands in for the person's choice and keeps what the page writes there.
    await page.addInitScript(() => {
      const saved: { name?: string; text?: string } = {}
      Object.assign(globalThis, {
        lanvaultSaved: saved,
        showSaveFilePicker: async (options: { suggestedName: string }) => ({
          createWritable: async () => ({
            write: async (blob: Blob) => void (saved.text = await blob.text()),
            close: async () => void (saved.name = options.suggestedName),
          }),
        }),
      })
    })
    await page.reload()
    await unlockInWindow(page)
    await page.getByRole("button", { name: "Settings" }).click()

    // Sync folders: add one by its path; the daemon writes its log there; remove it.
    const folders = page.getByRole("region", { name: "Sync folders" })
    const shared = join(a.home, "shared-folder")
    mkdirSync(shared)
    await folders.getByLabel("Folder path").fill(shared)
    await folders.getByRole("button", { name: "Add folder" }).click()
    await folders.getByRole("cell", { name: shared, exact: true }).waitFor()
    expect((await a.client!.call("folders.list", {})).map((f) => f.path)).toEqual([shared])
    await waitFor(() => existsSync(join(shared, "lanvault")) && readdirSync(join(shared, "lanvault")).length > 0, "the device's log in the folder")
    await folders.getByRole("button", { name: `Stop syncing ${shared}` }).click()
    await folders.getByText("None yet.").waitFor()
    expect(await a.client!.call("folders.list", {})).toEqual([])
    await folders.getByLabel("Folder path").fill("relative/path")
    await folders.getByRole("button", { name: "Add folder" }).click()
    await folders.getByRole("alert").waitFor()

    // Export: CSV downloaded by the browser, with the record's secret in it (a plaintext export warns).
    const exporting = page.getByRole("region", { name: "Export" })
    await exporting.getByLabel("Export format").selectOption("csv")
    const [csvDownload] = await Promise.all([page.waitForEvent("download"), exporting.getByRole("button", { name: "Download export" }).click()])
    expect(csvDownload.suggestedFilename()).toBe("lanvault-export.csv")
    const csv = readFileSync((await csvDownload.path())!, "utf8")
    expect(csv).toContain("Forum")
    expect(csv).toContain(SECRET)
    await exporting.getByText(/^Exported 1 record to lanvault-export\.csv .*not encrypted/).waitFor()
    // KeePass: the file's password typed in the window; the download opens with it (kdbxweb) and holds the entry.
    await exporting.getByLabel("Export format").selectOption("kdbx")
    expect(await exporting.getByRole("button", { name: "Download export" }).isDisabled()).toBe(true)
    await exporting.getByLabel("Password for the KeePass file").fill(KDBX_PASSWORD)
    const [kdbxDownload] = await Promise.all([page.waitForEvent("download"), exporting.getByRole("button", { name: "Download export" }).click()])
    const kdbxBytes = readFileSync((await kdbxDownload.path())!)
    expect(kdbxBytes.includes(Buffer.from(SECRET))).toBe(false)
    // kdbx(): kdbxweb with the Argon2 the daemon itself uses.
    const keepass = kdbx()
    const db = await keepass.Kdbx.load(new Uint8Array(kdbxBytes).buffer, new keepass.Credentials(keepass.ProtectedValue.fromString(KDBX_PASSWORD)))
    const entry = [...db.getDefaultGroup().allEntries()].find((e) => e.fields.get("Title") === "Forum")!
    expect((entry.fields.get("Password") as kdbxweb.ProtectedValue).getText()).toBe(SECRET)
    // "Save as…": JSON written to the file the person chose.
    await exporting.getByLabel("Export format").selectOption("json")
    await exporting.getByRole("button", { name: "Save export as…" }).click()
    await exporting.getByText(/^Exported 1 record to the file you chose/).waitFor()
    const saved = (await page.evaluate(() => (globalThis as unknown as { lanvaultSaved: { name: string; text: string } }).lanvaultSaved))
    expect(saved.name).toBe("lanvault-export.json")
    expect(JSON.parse(saved.text).records.map((r: { title: string }) => r.title)).toEqual(["Forum"])
    // Nothing the window asked for carried a secret or a path in its URL.
    expect(urls).toContain(`${app.origin}/api/export`)
    expect(urls.filter((url) => [SECRET, KDBX_PASSWORD, PASSWORD, encodeURIComponent(KDBX_PASSWORD), a.home].some((s) => url.includes(s)))).toEqual([])
    await screenshot(page, "settings-export")

    // Backups: make one, then restore it; a wrong password is refused and said on the password screen.
    const backups = page.getByRole("region", { name: "Encrypted backups" })
    await backups.getByRole("button", { name: "Back up now" }).click()
    await backups.getByText(/^Backup written/).waitFor()
    const [made] = (await a.client!.call("backup.list", {})).sort((x, y) => y.createdAt - x.createdAt)
    // Newest first: .first() is this one even if another backup was made in the same second.
    const restoreButton = backups.getByRole("button", { name: `Restore the backup of ${await page.evaluate((at) => new Date(at).toLocaleString(), made.createdAt)}` }).first()
    await restoreButton.click()
    const form = page.getByRole("form", { name: "Restore a backup" })
    await form.getByLabel("Password when the backup was made").fill("not the password")
    await form.getByRole("button", { name: "Restore backup" }).click()
    await page.getByRole("status").getByText(/was not restored/).waitFor()
    expect((await a.client!.call("status", {})).locked).toBe(true)
    await unlockInWindow(page)
    await page.getByRole("button", { name: "Settings" }).click()
    await restoreButton.click()
    await form.getByLabel("Password when the backup was made").fill(PASSWORD)
    await form.getByRole("checkbox", { name: /Replace this device's vault/ }).check()
    await form.getByRole("button", { name: "Restore backup" }).click()
    await page.getByRole("status").getByText(new RegExp(`^Restored ${made.entries} entries from the backup .*, replacing this device's vault`)).waitFor()
    expect((await a.client!.call("status", {})).locked).toBe(true)
    await unlockInWindow(page)
    await page.getByRole("button", { name: "Records" }).click()
    await page.getByRole("listbox", { name: "Records" }).getByRole("option", { name: "Forum" }).waitFor()
  }, 120_000)
})
