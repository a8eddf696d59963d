import { mkdirSync } from "node:fs"
import { request } from "node:http"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { RecordInput } from "../../src/merge/types.js"
import { launchBrowser, POLL, openWindow, screenshot, startApp } from "./helpers/browser.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import { KpxcClient, socketTransport } from "./helpers/kpxc-client.js"
import { startFirstDevice } from "../helpers/device-start.js"

/** One raw HTTP request to the app, with exactly the headers given (a browser would not let us forge Host). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = ""
      res.on("data", (chunk) => (body += chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on("error", reject)
    req.end(options.body)
  })
}

async function seededDevice(): Promise<Device> {
  const a = await startFirstDevice("alpha")
  const records: RecordInput[] = [
    { type: "login", title: "GitHub", fields: { username: { value: "octo", kind: "text" as const }, password: { value: "gh-Secret-42!", kind: "secret" as const }, url: { value: "https://github.com", kind: "url" as const }, totp: { value: "JBSWY3DPEHPK3PXP", kind: "totp" as const } }, tags: ["work"] },
    { type: "login", title: "Bank", fields: { username: { value: "me@bank", kind: "text" as const }, password: { value: "bank-pw-7", kind: "secret" as const } }, favorite: true },
    { type: "note", title: "Alarm code", notes: "front door 1234", tags: ["home"] },
    { type: "wifi", title: "Home Wi-Fi", fields: { ssid: { value: "lan-of-mine", kind: "text" as const }, password: { value: "wifi-pass-9", kind: "secret" as const } }, tags: ["home"] },
  ]
  for (const record of records) await a.client!.call("records.create", { record })
  await a.client!.call("lock", {})
  return a
}

describe("lanvault app: the local web window", () => {
  it("refuses every request without a session, a reused token, a foreign Host and a foreign Origin", async () => {
    const a = await seededDevice()
    const app = await startApp(a)
    expect(new URL(app.url).hostname).toBe("127.0.0.1")
    // No token: the page itself, its script and the API are all refused.
    for (const path of ["/", "/assets/app.js", "/api/events"]) expect((await rawRequest(`${app.origin}${path}`)).status).toBe(401)
    const noSession = await rawRequest(`${app.origin}/api/call`, { method: "POST", headers: { "Content-Type": "application/json", Origin: app.origin }, body: '{"method":"status"}' })
    expect(noSession.status).toBe(401)
    const exportWithout = await rawRequest(`${app.origin}/api/export`, { method: "POST", headers: { "Content-Type": "application/json", Origin: app.origin }, body: '{"format":"csv"}' })
    expect(exportWithout.status).toBe(401)
    expect((await rawRequest(`${app.origin}/session?token=wrong`)).status).toBe(403)

    // A real browser signs in with the token; the cookie is HttpOnly and SameSite=Strict.
    const browser = await launchBrowser()
    const { context, page } = await openWindow(browser, app)
    await expect.poll(() => page.getByLabel("Account password").isVisible(), POLL).toBe(true)
    const [cookie] = await context.cookies(app.origin)
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" })
    expect(cookie.value).not.toBe(new URL(app.url).searchParams.get("token"))
    const session = `${cookie.name}=${cookie.value}`
    expect(await page.evaluate("document.cookie")).toBe("")

    // The token works once.
    const second = await browser.newPage()
    expect((await second.goto(app.url))!.status()).toBe(403)

    // With a valid session: a foreign Host (DNS rebinding) and a foreign Origin are refused.
    const host = new URL(app.origin).host
    const ok = await rawRequest(`${app.origin}/`, { headers: { Cookie: session } })
    expect(ok.status).toBe(200)
    expect(String(ok.headers["content-security-policy"])).toMatch(/default-src 'none'.*script-src 'self'/)
    expect((await rawRequest(`${app.origin}/`, { headers: { Cookie: session, Host: `evil.example:${new URL(app.origin).port}` } })).status).toBe(403)
    expect((await rawRequest(`${app.origin}/`, { headers: { Cookie: session, Host: `localhost:${new URL(app.origin).port}` } })).status).toBe(403)
    const call = (origin: string | undefined) =>
      rawRequest(`${app.origin}/api/call`, {
        method: "POST",
        headers: { Cookie: session, Host: host, "Content-Type": "application/json", ...(origin ? { Origin: origin } : {}) },
        body: JSON.stringify({ method: "unlock", params: { password: PASSWORD } }),
      })
    expect((await call("http://evil.example")).status).toBe(403)
    expect((await call(undefined)).status).toBe(403)
    // The export download, too: a foreign page may not have the vault sent to it.
    const exportFrom = (origin: string) =>
      rawRequest(`${app.origin}/api/export`, { method: "POST", headers: { Cookie: session, Host: host, "Content-Type": "application/json", Origin: origin }, body: '{"format":"csv"}' })
    expect((await exportFrom("http://evil.example")).status).toBe(403)
    expect((await a.client!.call("status", {})).locked).toBe(true)
    // A method the page has no business calling is refused even with a session.
    const reset = await rawRequest(`${app.origin}/api/call`, { method: "POST", headers: { Cookie: session, Origin: app.origin, "Content-Type": "application/json" }, body: JSON.stringify({ method: "account.reset", params: { password: PASSWORD } }) })
    expect(reset.status).toBe(403)
    // No secret in what the app printed: only the URL line and a note.
    expect(app.output()).not.toContain(PASSWORD)
  }, 90_000)

  it("unlocks, searches, opens a record, reveals and copies its password", async () => {
    const a = await seededDevice()
    const app = await startApp(a)
    const browser = await launchBrowser()
    const { page } = await openWindow(browser, app)
    await page.getByLabel("Account password").fill("not the password")
    await page.getByRole("button", { name: "Unlock" }).click()
    await expect.poll(() => page.getByRole("alert").textContent(), POLL).toMatch(/password/i)
    await screenshot(page, "unlock")
    await page.getByLabel("Account password").fill(PASSWORD)
    await page.getByRole("button", { name: "Unlock" }).click()
    const list = page.getByRole("listbox", { name: "Records" })
    await list.getByRole("option", { name: "GitHub" }).waitFor()
    expect(await list.getByRole("option").count()).toBe(4)

    await page.getByRole("searchbox", { name: "Search records" }).fill("home")
    await expect.poll(() => list.getByRole("option").allTextContents(), POLL).toEqual([expect.stringContaining("Alarm code"), expect.stringContaining("Home Wi-Fi")])
    await page.getByRole("searchbox", { name: "Search records" }).fill("")
    await page.getByRole("checkbox", { name: "Favourites only" }).check()
    await expect.poll(() => list.getByRole("option").count(), POLL).toBe(1)
    await page.getByRole("checkbox", { name: "Favourites only" }).uncheck()
    await page.getByRole("combobox", { name: "Type" }).selectOption("wifi")
    await expect.poll(() => list.getByRole("option").allTextContents(), POLL).toEqual([expect.stringContaining("Home Wi-Fi")])
    await page.getByRole("combobox", { name: "Type" }).selectOption("")

    // Open by keyboard: focus the list, move down to GitHub (sorted: Alarm code, Bank, GitHub…), Enter.
    await list.getByRole("option", { name: "GitHub" }).waitFor()
    await list.focus()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    const record = page.getByRole("article", { name: "GitHub" })
    await record.waitFor()
    expect(await record.textContent()).not.toContain("gh-Secret-42!")
    await record.getByRole("button", { name: "Reveal password" }).click()
    await expect.poll(() => record.textContent(), POLL).toContain("gh-Secret-42!")
    // The TOTP code is the daemon's (the same as `lanvault totp`), counting down.
    const shownCode = (await record.getByLabel("totp code", { exact: true }).textContent())!.replace(/\s/g, "")
    const id = (await a.client!.call("records.find", { query: "GitHub" })).id
    const now = Date.now()
    const codes = await Promise.all([now - 30_000, now, now + 30_000].map(async (at) => (await a.client!.call("totp", { id, at })).code))
    expect(codes).toContain(shownCode)
    expect(Number(await record.getByRole("meter", { name: "Seconds left for the totp code" }).getAttribute("value"))).toBeGreaterThan(0)
    await screenshot(page, "record")
    await record.getByRole("button", { name: "Hide password" }).click()
    expect(await record.textContent()).not.toContain("gh-Secret-42!")
    // The clipboard is cleared 30 s after a copy (the page's production timer, on playwright's fake clock,
    // paused so that only runFor moves it: however slow this machine is, nothing else advances it).
    await page.clock.install()
    await page.clock.pauseAt(Date.now() + 1_000)
    await record.getByRole("button", { name: "Copy password" }).click()
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Copied password; the clipboard clears in 30 s" }).count(), POLL).toBe(1)
    const clipboard = () => page.evaluate("navigator.clipboard.readText()")
    expect(await clipboard()).toBe("gh-Secret-42!")
    await page.clock.runFor(29_900)
    expect(await clipboard()).toBe("gh-Secret-42!")
    await page.clock.runFor(100)
    await expect.poll(clipboard, POLL).toBe("")
    // A second copy before the first one's 30 s are up: only the second one's timer clears, 30 s after it.
    await record.getByRole("button", { name: "Copy username" }).click()
    await expect.poll(clipboard, POLL).toBe("octo")
    await page.clock.runFor(10_000)
    await record.getByRole("button", { name: "Copy password" }).click()
    await expect.poll(clipboard, POLL).toBe("gh-Secret-42!")
    await page.clock.runFor(25_000)
    expect(await clipboard()).toBe("gh-Secret-42!")
    await page.clock.runFor(5_000)
    await expect.poll(clipboard, POLL).toBe("")
    await page.clock.resume()

    // Settings: a backup made from the window is listed.
    await page.getByRole("button", { name: "Settings" }).click()
    await page.getByRole("heading", { name: "Encrypted backups" }).waitFor()
    const before = (await a.client!.call("backup.list", {})).length
    await page.getByRole("button", { name: "Back up now" }).click()
    await page.getByText(/^Backup written/).waitFor()
    expect((await a.client!.call("backup.list", {})).length).toBe(before + 1)
    await expect.poll(() => page.getByRole("table", { name: "Encrypted backups" }).getByRole("row").count(), POLL).toBe(before + 2)
    // Import: a file chosen in the window (as if dropped) is imported by the daemon, format detected.
    const csv = "name,url,username,password,note\nImported Site,https://imported.example/login,importer,imp-pw-1,\n"
    await page.getByLabel("Choose a file to import").setInputFiles({ name: "chrome.csv", mimeType: "text/csv", buffer: Buffer.from(csv) })
    await page.getByText(/^Imported 1 record/).waitFor()
    const [imported] = await a.client!.call("records.list", { query: "Imported Site" })
    expect((await a.client!.call("records.get", { id: imported.id })).fields.password.value).toBe("imp-pw-1")

    // Lock from the window: back to the password screen.
    await page.getByRole("button", { name: "Lock", exact: true }).click()
    await page.getByLabel("Account password").waitFor()
    expect((await a.client!.call("status", {})).locked).toBe(true)
  }, 90_000)

  it("Settings' browser button opens the approval window; a KeePassXC-Browser client associates and its name shows", async () => {
    const a = await Device.create("alpha")
    await a.init()
    // The browser socket lives under this device's own runtime dir, never the shared /tmp/runtime-$USER.
    const runtime = join(a.home, "run")
    mkdirSync(runtime, { mode: 0o700 })
    await a.start([], { XDG_RUNTIME_DIR: runtime })
    const app = await startApp(a)
    const browser = await launchBrowser()
    const { page } = await openWindow(browser, app)
    await page.getByLabel("Account password").fill(PASSWORD)
    await page.getByRole("button", { name: "Unlock" }).click()
    await page.getByRole("button", { name: "Settings" }).click()
    const section = page.getByRole("region", { name: "Browser extension" })
    await section.getByText(/Browser integration is off/).waitFor()
    expect(await section.getByRole("button", { name: "Allow a browser to connect" }).count()).toBe(0)

    const enabled = await a.client!.call("browser.enable", {})
    expect(enabled.socket.startsWith(runtime)).toBe(true)
    // Leaving Settings and coming back asks the daemon again.
    await page.getByRole("button", { name: "Records" }).click()
    await page.getByRole("button", { name: "Settings" }).click()
    await section.getByText(/Browser integration is on/).waitFor()
    await section.getByRole("button", { name: "Allow a browser to connect" }).click()
    await section.getByRole("status").getByText(/^Waiting for a browser to connect… \(closes in \d+ s\)$/).waitFor()
    expect((await a.client!.call("browser.status", {})).allowUntil).toBeGreaterThan(Date.now())

    const kpxc = new KpxcClient(await socketTransport(enabled.socket))
    try {
      await kpxc.changePublicKeys()
      const { inner } = await kpxc.associate()
      expect(inner?.id).toMatch(/^browser-[0-9a-f]{6}$/)
      await expect.poll(() => section.getByRole("status").textContent(), POLL).toBe(`Connected: ${inner?.id}`)
      expect((await a.client!.call("browser.list", {})).map((x) => x.name)).toEqual([inner?.id])
    } finally {
      kpxc.transport.close()
    }
  }, 90_000)
})
