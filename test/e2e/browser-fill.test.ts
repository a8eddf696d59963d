import { mkdirSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { join } from "node:path"
import { chromium, type BrowserContext, type Worker } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LanvaultClient } from "../../src/api/client.js"
import { runCli, tempHome } from "./helpers/cli.js"
import { mv3CopyOfDebianExtension } from "./helpers/kpxc-extension.js"
import { PASSWORD, startDevice, type StartedDevice } from "../helpers/device-start.js"

const CHROMIUM = process.env.LANVAULT_CHROMIUM ?? "/usr/bin/chromium"
const LOGIN_PAGE = `<!doctype html><title>Sign in</title>
<form method="post" action="/session"><label>User <input type="text" name="username" id="username" autocomplete="username"></label>
<label>Password <input type="password" name="password" id="password" autocomplete="current-password"></label><button>Sign in</button></form>`

/**
 * The real chain: Debian's Chromium with the Debian-packaged KeePassXC-Browser
 * (its manifest rewritten to V3, see kpxc-extension.ts), native messaging through
 * the host `lanvault browser install` wrote, lanvault's browser socket, a vault.
 */
const PROXY = "/usr/bin/keepassxc-proxy"

describe.each([
  { host: "lanvault's relay (written by `browser install`)", keepassxcProxy: false },
  { host: "Debian's keepassxc-proxy (KeePassXC's own manifest)", keepassxcProxy: true },
])("KeePassXC-Browser in Chromium fills a login form from lanvault through $host", ({ keepassxcProxy }) => {
  const { home, cleanup } = tempHome("lanvault-fill-")
  const runtime = join(home, "run")
  const env = { XDG_RUNTIME_DIR: runtime }
  const cli = (args: string[]) => runCli(args, { home, env: { ...env, LANVAULT_PASSWORD: PASSWORD } })
  let device: StartedDevice | undefined
  let api: LanvaultClient
  let site: Server
  let origin: string
  let context: BrowserContext | undefined

  beforeAll(async () => {
    mkdirSync(runtime, { mode: 0o700 })
    device = await startDevice(home, { env, unlock: true })
    api = device.client
    expect((await cli(["browser", "enable"])).code).toBe(0)
    expect((await cli(["browser", "install"])).code).toBe(0)
    if (keepassxcProxy) {
      // What KeePassXC writes when its browser integration is switched on; `browser install` then keeps it.
      const manifest = join(home, ".config", "chromium", "NativeMessagingHosts", "org.keepassxc.keepassxc_browser.json")
      writeFileSync(manifest, JSON.stringify({ name: "org.keepassxc.keepassxc_browser", description: "KeePassXC integration with native messaging support", path: PROXY, type: "stdio", allowed_origins: ["chrome-extension://oboonakemofpalcgghocfoadofidjkkk/"] }))
      expect((await cli(["browser", "install"])).stdout).toMatch(/chromium: KeePassXC's manifest is already there/)
    }
    site = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end(LOGIN_PAGE))
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve))
    origin = `http://127.0.0.1:${(site.address() as { port: number }).port}`
    const fields = { username: { value: "alice", kind: "text" }, password: { value: "pw-from-lanvault", kind: "secret" }, url: { value: origin, kind: "url" } } as const
    await api.call("records.create", { record: { type: "login", title: "Test site", fields } })
  }, 60_000)

  afterAll(async () => {
    await context?.close().catch(() => undefined)
    site?.close()
    await device?.stop()
    cleanup()
  })

  it("associates inside `browser allow` and fills username and password on a 127.0.0.1 page", async () => {
    const extension = mv3CopyOfDebianExtension(join(home, "extension"))
    // The host manifests `browser install` wrote live under $HOME/.config/chromium: use that profile directory.
    context = await chromium.launchPersistentContext(join(home, ".config", "chromium"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), `--disable-extensions-except=${extension}`, `--load-extension=${extension}`],
      ignoreDefaultArgs: ["--disable-extensions", "--disable-component-extensions-with-background-pages"],
      env: { PATH: process.env.PATH ?? "", HOME: home, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: join(home, ".config") },
    })
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 15_000 }))
    expect(worker.url()).toMatch(/^chrome-extension:\/\/oboonakemofpalcgghocfoadofidjkkk\//)
    expect(await inWorker(worker, "self.kpxcLoadErrors")).toEqual([])
    await expect.poll(() => inWorker(worker, "keepass.isKeePassXCAvailable && !keepass.isDatabaseClosed"), { timeout: 15_000 }).toBe(true)

    // The extension's Connect button calls keepass.associate(); the person approves with `browser allow`.
    const allow = runCli(["browser", "allow", "--seconds", "30"], { home, env })
    await expect.poll(async () => (await api.call("browser.status", {})).allowUntil !== undefined, { timeout: 15_000 }).toBe(true)
    expect(await inWorker(worker, "keepass.associate().then(() => keepass.isAssociated())")).toBe(true)
    const printed = await allow
    expect(printed.code, printed.stderr).toBe(0)
    const [association] = await api.call("browser.list", {})
    expect(printed.stdout).toContain(`Associated ${association.name}`)

    // Fill on page load when one login matches (the extension's own setting).
    await inWorker(worker, "page.settings.autoFillSingleEntry = true; browser.storage.local.set({ settings: page.settings }).then(() => true)")
    const page = await context.newPage()
    await page.goto(`${origin}/login`)
    await expect.poll(() => page.inputValue("#username"), { timeout: 15_000 }).toBe("alice")
    expect(await page.inputValue("#password")).toBe("pw-from-lanvault")
    expect(device!.daemon.output()).not.toContain("pw-from-lanvault")

    // Locking the vault reaches the extension as the database-locked notification.
    expect((await cli(["lock"])).code).toBe(0)
    await expect.poll(() => inWorker(worker, "keepass.isDatabaseClosed"), { timeout: 10_000 }).toBe(true)
  }, 90_000)
})

/** Evaluates an expression in the extension's service worker (its globals are `const`s of classic scripts). */
function inWorker(worker: Worker, expression: string): Promise<unknown> {
  return worker.evaluate(expression)
}
