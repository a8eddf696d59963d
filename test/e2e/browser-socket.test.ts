import { createHmac } from "node:crypto"
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connect, type LanvaultClient } from "../../src/api/client.js"
import { PASSWORD, startDevice } from "../helpers/device-start.js"
import { runCli, startDaemon, tempHome, type DaemonProcess } from "./helpers/cli.js"
import { hostTransport, KpxcClient, socketTransport, type Json } from "./helpers/kpxc-client.js"

const SERVER = "org.keepassxc.KeePassXC.BrowserServer"
const RELAY = fileURLToPath(new URL("../../bin/lanvault-browser-host.js", import.meta.url))
const PROXY = "/usr/bin/keepassxc-proxy"
/** RFC 6238's SHA-1 test secret ("12345678901234567890"), base32. */
const TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

const login = (title: string, url: string, username: string, password: string, extra: Json = {}) => ({
  type: "login",
  title,
  fields: { username: { value: username, kind: "text" }, password: { value: password, kind: "secret" }, url: { value: url, kind: "url" }, ...extra },
})

function totpAt(ms: number): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)))
  const digest = createHmac("sha1", Buffer.from("12345678901234567890")).update(message).digest()
  const offset = digest[19] & 0x0f
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0")
}

describe("the KeePassXC-Browser socket of a real daemon", () => {
  const { home, cleanup } = tempHome("lanvault-browser-")
  const runtime = join(home, "run")
  const socketPath = join(runtime, "app", "org.keepassxc.KeePassXC", SERVER)
  const env = { XDG_RUNTIME_DIR: runtime }
  const cli = (args: string[], input?: string) => runCli(args, { home, env: { ...env, LANVAULT_PASSWORD: PASSWORD }, input })
  let daemon: DaemonProcess
  let api: LanvaultClient
  let client: KpxcClient
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    mkdirSync(runtime, { mode: 0o700 })
    const device = await startDevice(home, { env, unlock: true })
    daemon = device.daemon
    api = device.client
    const records: Array<[string, Json]> = [
      ["example", login("Example", "https://example.com", "alice", "pw-example")],
      ["sub", login("Sub", "https://login.example.com/signin", "bob", "pw-sub")],
      ["other", login("Other", "https://example.org", "carol", "pw-other")],
      ["local", login("Local", "http://127.0.0.1:8080", "dave", "pw-local", { totp: { value: TOTP_SECRET, kind: "totp" } })],
      ["idn", login("IDN", "https://bücher.example", "erin", "pw-idn")],
      ["plain", login("Plain http", "http://intranet.test", "frank", "pw-plain")],
    ]
    for (const [key, record] of records) ids[key] = (await api.call("records.create", { record: record as never })).id
  }, 60_000)

  afterAll(async () => {
    api?.close()
    client?.transport.close()
    await daemon?.stop("SIGKILL")
    cleanup()
  })

  it("listens only after `browser enable`, on keepassxc-proxy's path, 0600, with the legacy link", async () => {
    expect(existsSync(socketPath)).toBe(false)
    const enable = await cli(["browser", "enable", "--json"])
    expect(enable.code).toBe(0)
    expect(JSON.parse(enable.stdout)).toMatchObject({ enabled: true, listening: true, socket: socketPath })
    expect(statSync(socketPath).mode & 0o777).toBe(0o600)
    expect(readlinkSync(join(runtime, SERVER))).toBe(socketPath)
    client = new KpxcClient(await socketTransport(socketPath))
  })

  it("exchanges keys, then answers the database hash encrypted with the incremented nonce", async () => {
    const keys = await client.changePublicKeys()
    expect(keys).toMatchObject({ action: "change-public-keys", success: "true" })
    const { inner } = await client.call("get-databasehash")
    expect(inner?.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it("refuses to associate outside an approval window and gives an unassociated client nothing", async () => {
    const refused = await client.associate()
    expect(refused.outer).toMatchObject({ action: "associate", errorCode: "6" })
    expect((await client.getLogins("https://example.com")).outer.errorCode).toBe("8")
  })

  it("associates inside `browser allow`, which prints the new name", async () => {
    const allow = runCli(["browser", "allow", "--seconds", "30"], { home, env })
    await waitFor(async () => JSON.parse((await cli(["browser", "status", "--json"])).stdout).allowUntil !== undefined)
    const { inner } = await client.associate()
    expect(inner?.id).toMatch(/^browser-[0-9a-f]{6}$/)
    const printed = await allow
    expect(printed.code).toBe(0)
    expect(printed.stdout).toContain(`Associated ${inner?.id}`)
    expect((await client.testAssociate()).inner?.id).toBe(inner?.id)
    const list = JSON.parse((await cli(["browser", "list", "--json"])).stdout)
    expect(list.map((a: { name: string }) => a.name)).toEqual([inner?.id])
    // The window closed with that association: a second one is refused.
    const second = new KpxcClient(await socketTransport(socketPath))
    await second.changePublicKeys()
    expect((await second.associate()).outer.errorCode).toBe("6")
    second.transport.close()
  })

  it("stores associations as encrypted vault records hidden from `list`", async () => {
    const list = await cli(["list", "--json"])
    expect(JSON.parse(list.stdout).map((r: { type: string }) => r.type)).not.toContain("browser-association")
    const db = readFileSync(join(home, "vault.db"))
    expect(db.includes(Buffer.from(Buffer.from(client.idKeyPair.publicKey).toString("base64")))).toBe(false)
  })

  it("fails test-associate for a wrong key or an unknown id", async () => {
    expect((await client.testAssociate(client.associatedId, Buffer.alloc(32, 7).toString("base64"))).outer.errorCode).toBe("8")
    expect((await client.testAssociate("browser-000000")).outer.errorCode).toBe("8")
  })

  it("finds logins by host and its parent domains, never a child, a sibling or another site", async () => {
    const names = async (url: string) => {
      const { inner, outer } = await client.getLogins(url)
      return inner ? (inner.entries as Array<{ name: string }>).map((e) => e.name) : `error ${String(outer.errorCode)}`
    }
    expect(await names("https://example.com/login")).toEqual(["Example"])
    expect(await names("https://login.example.com/signin")).toEqual(["Sub", "Example"])
    expect(await names("https://deep.login.example.com")).toEqual(["Sub", "Example"])
    expect(await names("https://example.org")).toEqual(["Other"])
    expect(await names("https://example.com.evil.test")).toBe("error 15")
    expect(await names("https://evilexample.com")).toBe("error 15")
    expect(await names("https://example.com@evil.test/")).toBe("error 15")
    expect(await names("https://example.com:8443/")).toBe("error 15")
    const full = await client.getLogins("https://example.com")
    expect(full.inner?.entries).toEqual([expect.objectContaining({ login: "alice", password: "pw-example", uuid: ids.example, name: "Example" })])
  })

  it("is scheme-aware: an https login never goes to an http page; an http login may go to https", async () => {
    const errorOf = async (url: string) => (await client.getLogins(url)).outer.errorCode
    expect(await errorOf("http://example.com/")).toBe("15")
    expect((await client.getLogins("https://intranet.test")).inner?.count).toBe(1)
    expect((await client.getLogins("http://intranet.test")).inner?.count).toBe(1)
  })

  it("answers odd URLs with a protocol error: file:, javascript:, data:, garbage, none", async () => {
    for (const url of ["file:///etc/passwd", "javascript:alert(document.cookie)", "data:text/html,<b>x</b>", "chrome://settings", "not a url", ""]) {
      expect((await client.getLogins(url)).outer.errorCode, url).toBe("14")
    }
  })

  it("matches IP literals only exactly, and IDN hosts in either spelling", async () => {
    expect((await client.getLogins("http://127.0.0.1:8080/login")).inner?.entries).toEqual([expect.objectContaining({ login: "dave" })])
    expect((await client.getLogins("http://0x7f.0.0.1:8080/")).inner?.count).toBe(1)
    // Not an IPv4 address nor a domain name: the URL itself is invalid.
    expect((await client.getLogins("http://1.127.0.0.1:8080/")).outer.errorCode).toBe("14")
    for (const url of ["http://127.0.0.2:8080/", "http://[::1]:8080/", "http://127.0.0.1:8081/", "http://127.0.0.1/"]) {
      expect((await client.getLogins(url)).outer.errorCode, url).toBe("15")
    }
    expect((await client.getLogins("https://bücher.example/")).inner?.entries).toEqual([expect.objectContaining({ login: "erin" })])
    expect((await client.getLogins("https://xn--bcher-kva.example/")).inner?.count).toBe(1)
    expect((await client.getLogins("https://bucher.example/")).outer.errorCode).toBe("15")
  })

  it("counts logins, generates passwords and gives TOTP codes", async () => {
    expect((await client.call("get-logins-count", { url: "https://login.example.com" })).inner?.count).toBe(2)
    const generated = await client.call("generate-password", { requestID: "abc12345" })
    expect(generated.inner?.password).toMatch(/^\S{24}$/)
    const before = Date.now()
    const { inner } = await client.call("get-totp", { uuid: ids.local })
    expect([totpAt(before), totpAt(Date.now())]).toContain(inner?.totp)
    expect((await client.getLogins("http://127.0.0.1:8080")).inner?.entries).toEqual([expect.objectContaining({ totp: expect.stringMatching(/^\d{6}$/) })])
    expect((await client.call("get-totp", { uuid: "no-such-record" })).outer.errorCode).toBe("18")
  })

  it("saves a new login from a form and updates it, but never another site's entry", async () => {
    const created = await client.call("set-login", { url: "https://shop.test/account", submitUrl: "https://shop.test/login", id: client.associatedId, login: "gina", password: "pw-shop-1" })
    expect(created.inner?.error).toBe("success")
    const found = await client.getLogins("https://shop.test/")
    const entry = (found.inner?.entries as Array<{ uuid: string; password: string }>)[0]
    expect(entry.password).toBe("pw-shop-1")
    await client.call("set-login", { url: "https://shop.test/", login: "gina", password: "pw-shop-2", uuid: entry.uuid })
    expect((await api.call("records.get", { id: entry.uuid })).fields.password.value).toBe("pw-shop-2")
    const foreign = await client.call("set-login", { url: "https://shop.test/", login: "x", password: "stolen", uuid: ids.example })
    expect(foreign.outer.errorCode).toBe("18")
    expect((await api.call("records.get", { id: ids.example })).fields.password.value).toBe("pw-example")
  })

  it("answers garbage, unknown actions and foreign clients with errors, and keeps serving", async () => {
    const raw = client.transport
    raw.sendRaw("this is not json")
    expect((await raw.next()).errorCode).toBe("13")
    raw.send("[1,2,3]")
    expect((await raw.next()).errorCode).toBe("13")
    raw.send({ action: 42 })
    expect((await raw.next()).errorCode).toBe("12")
    expect((await client.call("no-such-action")).outer.errorCode).toBe("12")
    expect((await client.call("get-logins", { url: "https://example.com" }, { clientId: "someone-else" })).outer.errorCode).toBe("3")
    raw.send({ action: "change-public-keys", publicKey: "short", nonce: "x", clientID: "c" })
    expect((await raw.next()).errorCode).toBe("3")
    expect((await client.getLogins("https://example.com")).inner?.count).toBe(1)
  })

  it("refuses replayed, reflected and mis-sealed messages", async () => {
    const first = await client.getLogins("https://example.com")
    expect(first.inner?.count).toBe(1)
    client.transport.send(client.lastRequest!)
    expect((await client.transport.next()).errorCode).toBe("4")
    // Our reply sent back as a request (same key pair, nonce+1): refused.
    client.transport.send({ ...first.outer, clientID: client.clientId })
    expect((await client.transport.next()).errorCode).toBe("4")
    const { request } = client.request("get-logins", { url: "https://example.com" })
    client.transport.send({ ...request, nonce: Buffer.alloc(24, 9).toString("base64") })
    expect((await client.transport.next()).errorCode).toBe("4")
    client.transport.send({ ...request, nonce: Buffer.alloc(23, 9).toString("base64") })
    expect((await client.transport.next()).errorCode).toBe("4")
    client.transport.send({ ...request, message: Buffer.alloc(64, 1).toString("base64") })
    expect((await client.transport.next()).errorCode).toBe("4")
    // A message sealed for one action is not accepted as another.
    const sealed = client.request("lock-database", {})
    client.transport.send({ ...sealed.request, action: "get-logins" })
    expect((await client.transport.next()).errorCode).toBe("12")
  })

  it("closes a connection that sends an oversized message; the socket stays up", async () => {
    const big = await socketTransport(socketPath)
    const closed = new Promise((resolve) => big.socket.once("close", resolve))
    big.sendRaw(`{"action":"get-logins","message":"${"A".repeat(2 * 1024 * 1024)}"}`)
    expect((await big.next()).errorCode).toBe("13")
    await closed
    expect((await client.getLogins("https://example.com")).inner?.count).toBe(1)
  })

  it("speaks native messaging through Debian's keepassxc-proxy", async () => {
    expect(existsSync(PROXY)).toBe(true)
    const proxied = new KpxcClient(hostTransport(PROXY, [], { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtime }))
    try {
      await proxied.changePublicKeys()
      expect((await proxied.call("get-databasehash")).inner?.hash).toMatch(/^[0-9a-f]{64}$/)
      const allow = api.call("browser.allow", { seconds: 30, wait: true })
      await waitFor(async () => (await api.call("browser.status", {})).allowUntil !== undefined)
      const { inner } = await proxied.associate()
      expect((await allow).associated).toBe(inner?.id)
      expect((await proxied.getLogins("http://127.0.0.1:8080/")).inner?.entries).toEqual([expect.objectContaining({ login: "dave", password: "pw-local" })])
    } finally {
      proxied.transport.close()
    }
    // The proxy re-creates the legacy link to the same socket (KeePassXC 2.7 behaviour).
    expect(readlinkSync(join(runtime, SERVER))).toBe(socketPath)
  })

  it("speaks native messaging through lanvault's own relay", async () => {
    const relayed = new KpxcClient(hostTransport(process.execPath, [RELAY], { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtime }))
    try {
      await relayed.changePublicKeys()
      expect((await relayed.testAssociate(client.associatedId, Buffer.from(client.idKeyPair.publicKey).toString("base64"))).inner?.success).toBe("true")
      // Borrowing another session's identification key is what the protocol allows; the keys still must match.
      relayed.associatedId = client.associatedId
      Object.assign(relayed.idKeyPair, { publicKey: client.idKeyPair.publicKey })
      expect((await relayed.getLogins("https://example.org")).inner?.count).toBe(1)
    } finally {
      relayed.transport.close()
    }
  })

  it("tells browsers when the vault locks and unlocks; a locked vault answers the locked error", async () => {
    const lock = await cli(["lock"])
    expect(lock.code, lock.stderr).toBe(0)
    expect(await client.transport.next()).toEqual({ action: "database-locked" })
    const locked = await client.getLogins("https://example.com")
    expect(locked.outer).toMatchObject({ action: "get-logins", errorCode: "1" })
    const requests: string[] = []
    const watcher = await connect({ socketPath: daemon.socketPath })
    await watcher.subscribe(["browser.unlockRequested"], (event) => requests.push(event.type))
    expect((await client.call("get-databasehash", {}, { triggerUnlock: true })).outer.errorCode).toBe("1")
    expect((await client.call("get-databasehash", {}, { triggerUnlock: true })).outer.errorCode).toBe("1")
    await expect.poll(() => requests, { timeout: 10_000 }).toEqual(["browser.unlockRequested"])
    watcher.close()
    expect((await cli(["unlock"])).code).toBe(0)
    expect(await client.transport.next()).toEqual({ action: "database-unlocked" })
    expect((await client.getLogins("https://example.com")).inner?.count).toBe(1)
    client.notifications.length = 0
    expect((await client.call("lock-database")).inner?.success).toBe("true")
    expect(client.notifications).toEqual([{ action: "database-locked" }])
    expect(JSON.parse((await cli(["status", "--json"])).stdout).locked).toBe(true)
    expect((await cli(["unlock"])).code).toBe(0)
    await client.transport.next()
  })

  it("revokes an association at once, even for a session that proved it", async () => {
    const revoke = await cli(["browser", "revoke", client.associatedId!])
    expect(revoke.code).toBe(0)
    expect((await client.getLogins("https://example.com")).outer.errorCode).toBe("8")
    expect((await client.testAssociate()).outer.errorCode).toBe("8")
    expect((await cli(["browser", "revoke", client.associatedId!])).code).toBe(1)
  })

  it("stops listening at `browser disable` and remembers enable across daemon restarts", async () => {
    expect((await cli(["browser", "disable"])).code).toBe(0)
    expect(existsSync(socketPath)).toBe(false)
    expect(() => lstatSync(join(runtime, SERVER))).toThrow()
    expect((await cli(["browser", "enable"])).code).toBe(0)
    await daemon.stop()
    daemon = await startDaemon({ home, env, args: ["--port", "0"] })
    expect(existsSync(socketPath)).toBe(true)
    expect((await cli(["unlock"])).code).toBe(0)
    expect(daemon.output()).not.toMatch(/pw-(example|local|shop)|alice/)
  }, 30_000)

  it("`browser install` writes manifests for four browsers and keeps KeePassXC's own", async () => {
    const chrome = join(home, ".config", "google-chrome", "NativeMessagingHosts")
    mkdirSync(chrome, { recursive: true })
    writeFileSync(join(chrome, "org.keepassxc.keepassxc_browser.json"), JSON.stringify({ name: "org.keepassxc.keepassxc_browser", path: PROXY, type: "stdio" }))
    const install = await runCli(["browser", "install", "--json"], { home, env })
    expect(install.code).toBe(0)
    const result = JSON.parse(install.stdout) as { host: string; manifests: Array<{ browser: string; outcome: string; path: string }> }
    expect(result.manifests.map((m) => [m.browser, m.outcome])).toEqual([["chromium", "written"], ["chrome", "kept-keepassxc"], ["brave", "written"], ["firefox", "written"]])
    const chromium = JSON.parse(readFileSync(result.manifests[0].path, "utf8"))
    expect(chromium).toMatchObject({ name: "org.keepassxc.keepassxc_browser", type: "stdio", path: result.host, allowed_origins: expect.arrayContaining(["chrome-extension://oboonakemofpalcgghocfoadofidjkkk/"]) })
    expect(JSON.parse(readFileSync(result.manifests[3].path, "utf8")).allowed_extensions).toEqual(["keepassxc-browser@keepassxc.org"])
    expect(statSync(result.host).mode & 0o111).not.toBe(0)
    const human = await runCli(["browser", "install"], { home, env })
    expect(human.stdout).toMatch(/chrome: KeePassXC's manifest is already there/)
  })

  it("the installed host relays a real session", async () => {
    const host = join(home, "browser-host")
    const viaHost = new KpxcClient(hostTransport(host, [], { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtime }))
    try {
      expect((await viaHost.changePublicKeys()).success).toBe("true")
      expect((await viaHost.call("get-databasehash")).inner?.hash).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      viaHost.transport.close()
    }
  })
})

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 50))
  }
}

