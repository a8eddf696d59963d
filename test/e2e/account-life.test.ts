import { chmodSync, mkdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli, startDaemon, tempHome, type DaemonProcess } from "./helpers/cli.js"
import { decodePdfQr, pdfText } from "./helpers/pdf-qr.js"
import { PASSWORD, startDevice, type StartedDevice } from "../helpers/device-start.js"

const KEY_PATTERN = /LV1(-[0-9A-Z]{4}){7}/

describe("the account's life through the real CLI and a real daemon", () => {
  const { home, cleanup } = tempHome()
  let daemon: DaemonProcess | undefined
  let accountKey = ""
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(args, { home, env, input, timeoutMs: 60_000 })

  beforeAll(async () => {
    const init = await cli(["init", "--name", "desk", "--kit", join(home, "init-kit.pdf")], { LANVAULT_PASSWORD: PASSWORD, LANVAULT_HINT: "the battery one" })
    expect(init.stderr).toBe("")
    expect(init.code).toBe(0)
    accountKey = init.stdout.match(KEY_PATTERN)?.[0] ?? ""
    expect(accountKey).not.toBe("")
  }, 90_000)

  afterAll(async () => {
    await daemon?.stop("SIGKILL")
    cleanup()
  })

  it("init --kit wrote the emergency kit: its QR code decodes back to the account key", () => {
    expect(decodePdfQr(join(home, "init-kit.pdf"))).toEqual([accountKey])
    expect(statSync(join(home, "init-kit.pdf")).mode & 0o777).toBe(0o600)
  })

  it("kit with no daemon running reads the home; with one running, goes through it; an unwritable path is a clear error", async () => {
    const offline = await cli(["kit", "--out", join(home, "offline.pdf")])
    expect(offline.code).toBe(0)
    expect(decodePdfQr(join(home, "offline.pdf"))).toEqual([accountKey])
    daemon = await startDaemon({ home, args: ["--port", "0"] })
    const online = await cli(["kit", "--out", join(home, "online.pdf"), "--json"])
    expect(online.code).toBe(0)
    expect(JSON.parse(online.stdout)).toEqual({ path: join(home, "online.pdf") })
    expect(decodePdfQr(join(home, "online.pdf"))).toEqual([accountKey])
    const text = pdfText(join(home, "online.pdf"))
    expect(text).toContain(accountKey)
    expect(text).toContain("desk")
    expect(text).toContain(new Date().toISOString().slice(0, 10))
    const locked = join(home, "read-only")
    mkdirSync(locked, { mode: 0o500 })
    chmodSync(locked, 0o500)
    for (const out of [join(home, "no-such-folder", "kit.pdf"), "/dev/null", ...(process.getuid?.() === 0 ? [] : [join(locked, "kit.pdf")])]) {
      const refused = await cli(["kit", "--out", out])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/cannot write the emergency kit|not a regular file/)
      expect(refused.stderr).not.toContain(accountKey)
    }
  }, 90_000)

  it("after three wrong passwords the error shows the hint", async () => {
    const messages: string[] = []
    for (const guess of ["wrong guess one", "wrong guess two", "wrong guess three"]) {
      const wrong = await cli(["unlock"], { LANVAULT_PASSWORD: guess })
      expect(wrong.code).toBe(1)
      messages.push(wrong.stderr)
    }
    expect(messages[0]).not.toContain("the battery one")
    expect(messages[1]).not.toContain("the battery one")
    expect(messages[2]).toContain('your hint: "the battery one"')
  }, 90_000)

  it("passwd refuses a weak new password with the estimator's feedback; --allow-weak takes it", async () => {
    // The throttle of the previous test: wait out its delay (1 s after the third failure).
    await new Promise((r) => setTimeout(r, 1_500))
    const weak = await cli(["passwd"], { LANVAULT_PASSWORD: PASSWORD, LANVAULT_NEW_PASSWORD: "password123" })
    expect(weak.code).toBe(1)
    expect(weak.stderr).toContain("too easy to guess")
    expect(weak.stderr).not.toContain("password123")
    const allowed = await cli(["passwd", "--allow-weak"], { LANVAULT_PASSWORD: PASSWORD, LANVAULT_NEW_PASSWORD: "password123" })
    expect(allowed.stderr).toBe("")
    expect(allowed.code).toBe(0)
    expect((await cli(["unlock"], { LANVAULT_PASSWORD: "password123" })).code).toBe(0)
  }, 90_000)
})

describe("audit and add/edit warnings through the real CLI and daemon", () => {
  const { home, cleanup } = tempHome()
  let device: StartedDevice | undefined
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(args, { home, env, input, timeoutMs: 60_000 })

  beforeAll(async () => {
    device = await startDevice(home, { unlock: true })
  }, 90_000)

  afterAll(async () => {
    await device?.stop()
    cleanup()
  })

  it("add warns on a weak typed secret, not on a strong or generated one; audit finds weak, reused and untagged-TOTP logins", async () => {
    const weak = await cli(["add", "--type", "login", "--title", "Forum", "--secret-field", "password", "--tag", "2fa"], {}, "password1\n")
    expect(weak.code).toBe(0)
    expect(weak.stderr).toMatch(/warning: the value of "password" is easy to guess/)
    expect(weak.stderr).not.toContain("password1")
    const strong = await cli(["add", "--type", "login", "--title", "Bank", "--secret-field", "password"], {}, "violet-anchor-quietly-92-tundra\n")
    expect(strong.stderr).toBe("")
    const mail = await cli(["add", "--type", "login", "--title", "Mail", "--secret-field", "password"], {}, "violet-anchor-quietly-92-tundra\n")
    const generated = await cli(["add", "--type", "login", "--title", "Shop", "--generate", "password"])
    expect(generated.stderr).not.toMatch(/easy to guess/)
    const edited = await cli(["edit", generated.stdout.trim(), "--secret-field", "password"], {}, "qwerty123\n")
    expect(edited.code).toBe(0)
    expect(edited.stderr).toMatch(/easy to guess/)

    const audit = await cli(["audit", "--json"])
    expect(audit.code).toBe(0)
    const report = JSON.parse(audit.stdout)
    expect(report.records).toBe(4)
    expect(report.weak.map((w: { title: string }) => w.title).sort()).toEqual(["Forum", "Shop"])
    expect(report.reused).toHaveLength(1)
    expect(report.reused[0].map((r: { id: string }) => r.id).sort()).toEqual([strong.stdout.trim(), mail.stdout.trim()].sort())
    expect(report.missingTotp.map((r: { title: string }) => r.title)).toEqual(["Forum"])
    expect(audit.stdout).not.toMatch(/password1|violet-anchor|qwerty123/)
    const human = await cli(["audit"])
    expect(human.stdout).toMatch(/Weak \(2\):/)
    expect(human.stdout).toMatch(/Reused \(1\):/)
    expect(human.stdout).toMatch(/Tagged 2fa but no TOTP field \(1\):/)
  }, 120_000)
})
