import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import type { StatusResult } from "../../../src/api/protocol.js"
import { LanvaultError, WrongPasswordError } from "../../../src/errors.js"
import { runCli, scriptedPrompts, startFakeDaemon, tempDir, type FakeDaemon } from "./helpers.js"

const KEY_PATTERN = /LV1(-[0-9A-Z]{4}){7}/
const NEW_KEY = "LV1-0000-1111-2222-3333-4444-5555-6600"

const STATUS: StatusResult = {
  version: "0.1.0",
  home: "/h",
  socket: "/h/lanvault.sock",
  accountId: "acc0acc1acc2acc3acc4acc5acc6acc7",
  deviceId: "dev0dev1dev2dev3dev4dev5dev6dev7",
  deviceName: "desk",
  locked: true,
  autoLockMinutes: 15,
  pid: 4242,
  startedAt: Date.now() - 3_600_000,
  peers: [{ name: "laptop", address: "10.0.0.2:7420", how: "mdns", state: "connected" }],
}

/** A daemon's answer to `unlock` with no password when no quick unlock can be used. */
function noQuickUnlock(reason: string, message: string): () => never {
  return () => {
    throw new LanvaultError("QUICK_UNLOCK_UNAVAILABLE", message, { data: { reason } })
  }
}

describe("session and account commands against a fake daemon", () => {
  const { dir: home, cleanup } = tempDir()
  let daemon: FakeDaemon

  beforeAll(async () => {
    daemon = await startFakeDaemon(home)
  })
  afterEach(() => {
    daemon.calls.length = 0
  })
  afterAll(async () => {
    await daemon.close()
    cleanup()
  })

  it("status prints a readable summary, and --json the method's result", async () => {
    daemon.handlers.status = () => STATUS
    const human = await runCli(["status"], { home })
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/device\s+desk \(dev0dev1\)/)
    expect(human.stdout).toMatch(/vault\s+locked/)
    expect(human.stdout).toMatch(/devices\s+1 connected of 1 known/)
    expect(human.stdout).toMatch(/DEVICE\s+ADDRESS\s+CONNECTION\s+FOUND BY\n\s+laptop\s+10\.0\.0\.2:7420\s+connected\s+mDNS/)
    expect(JSON.parse((await runCli(["status", "--json"], { home })).stdout)).toEqual(STATUS)
  })

  it("unlock takes LANVAULT_PASSWORD, or the first stdin line with --password-stdin", async () => {
    daemon.handlers.unlock = () => ({ unlocked: true, records: 3 })
    const fromEnv = await runCli(["unlock"], { home, env: { LANVAULT_PASSWORD: "env-password" } })
    expect(fromEnv).toEqual({ code: 0, stdout: "Unlocked: 3 records.\n", stderr: "" })
    const fromStdin = await runCli(["unlock", "--password-stdin"], { home, stdin: "stdin-password\nsecond line\n" })
    expect(fromStdin.code).toBe(0)
    expect(daemon.calls.map((c) => c.params)).toEqual([{ password: "env-password" }, { password: "stdin-password" }])
  })

  it("unlock without a terminal, variable or --password-stdin tries the quick unlock, then is a usage error naming them", async () => {
    daemon.handlers.unlock = noQuickUnlock("none", "no quick unlock is remembered on this device")
    const result = await runCli(["unlock"], { home, stdin: "not read\n" })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("LANVAULT_PASSWORD")
    expect(result.stderr).toContain("--password-stdin")
    expect(result.stderr).not.toContain("no quick unlock is remembered")
    expect(daemon.calls).toEqual([{ method: "unlock", params: {} }])
  })

  it("unlock uses the remembered quick unlock when there is one, and says how many are left", async () => {
    daemon.handlers.unlock = () => ({ unlocked: true, records: 2, quick: { usesLeft: 49, expiresAt: Date.now() + 86_400_000 } })
    const result = await runCli(["unlock"], { home, tty: true, prompts: scriptedPrompts([]) })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Unlocked with the system keychain: 2 records \(49 quick unlocks left, until /)
    expect(daemon.calls).toEqual([{ method: "unlock", params: {} }])
  })

  it("a locked or missing keychain: a clear message, then the normal password prompt", async () => {
    daemon.handlers.unlock = (params) => {
      if ((params as { password?: string }).password === undefined) throw new LanvaultError("KEYCHAIN_UNAVAILABLE", "cannot read the system keychain (unlock prompt was dismissed)")
      return { unlocked: true, records: 1 }
    }
    const prompts = scriptedPrompts(["typed-password"])
    const result = await runCli(["unlock"], { home, tty: true, prompts })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("Quick unlock not possible: cannot read the system keychain (unlock prompt was dismissed). Asking for the password.")
    expect(prompts.questions).toEqual(["Account password:"])
    expect(daemon.calls.map((c) => c.params)).toEqual([{}, { password: "typed-password" }])
  })

  it("unlock --remember sends the limits with the password and reports a keychain that refused", async () => {
    daemon.handlers.unlock = () => ({ unlocked: true, records: 1, notRemembered: "cannot store a secret in the system keychain (no Secret Service)" })
    const result = await runCli(["unlock", "--remember", "--remember-uses", "5", "--remember-days", "3"], { home, env: { LANVAULT_PASSWORD: "env-password" } })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain("Could not remember a quick unlock: cannot store a secret in the system keychain")
    expect(daemon.calls).toEqual([{ method: "unlock", params: { password: "env-password", remember: { uses: 5, days: 3 } } }])
  })

  it("forget asks the daemon to forget the quick unlock", async () => {
    daemon.handlers["quickUnlock.forget"] = () => ({ forgotten: true })
    expect((await runCli(["forget"], { home })).stdout).toContain("Forgot the quick unlock")
  })

  it("auto-lock shows the daemon's minutes, sets new ones through settings.autoLock, and refuses a bad number", async () => {
    daemon.handlers.status = () => STATUS
    daemon.handlers["settings.autoLock"] = (params) => ({ autoLockMinutes: (params as { minutes: number }).minutes })
    expect((await runCli(["auto-lock"], { home })).stdout).toContain("locks after 15 min idle")
    const set = await runCli(["auto-lock", "0", "--json"], { home })
    expect(JSON.parse(set.stdout)).toEqual({ autoLockMinutes: 0 })
    expect(daemon.calls.at(-1)).toEqual({ method: "settings.autoLock", params: { minutes: 0 } })
    daemon.calls.length = 0
    expect((await runCli(["auto-lock", "-3"], { home })).code).toBe(2)
    expect((await runCli(["auto-lock", "99999"], { home })).code).toBe(2)
    expect(daemon.calls).toEqual([])
  })

  it("a wrong password exits 1 without echoing it", async () => {
    daemon.handlers.unlock = () => {
      throw new WrongPasswordError()
    }
    const result = await runCli(["unlock", "--password-stdin"], { home, stdin: "bad-guess-123\n" })
    expect(result).toEqual({ code: 1, stdout: "", stderr: "lanvault: wrong account password\n" })
  })

  it("unlock prompts (hidden) on a terminal", async () => {
    const quick = noQuickUnlock("none", "no quick unlock is remembered on this device")
    daemon.handlers.unlock = (params) => ((params as { password?: string }).password === undefined ? quick() : { unlocked: true, records: 1 })
    const prompts = scriptedPrompts(["typed-password"])
    expect((await runCli(["unlock"], { home, tty: true, prompts })).code).toBe(0)
    expect(prompts.questions).toEqual(["Account password:"])
    expect(daemon.calls[1].params).toEqual({ password: "typed-password" })
  })

  it("lock", async () => {
    daemon.handlers.lock = () => ({ locked: true })
    expect(await runCli(["lock"], { home })).toEqual({ code: 0, stdout: "Locked.\n", stderr: "" })
  })

  it("passwd reads the current then the new password from stdin lines", async () => {
    daemon.handlers["account.changePassword"] = () => ({ keysetVersion: 2 })
    const result = await runCli(["passwd", "--password-stdin"], { home, stdin: "old-password\nnew-password-1\n" })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("keyset version 2")
    expect(daemon.calls).toEqual([{ method: "account.changePassword", params: { old: "old-password", new: "new-password-1" } }])
  })

  it("passwd takes LANVAULT_PASSWORD and LANVAULT_NEW_PASSWORD, and refuses a short new password", async () => {
    daemon.handlers["account.changePassword"] = () => ({ keysetVersion: 3 })
    const env = { LANVAULT_PASSWORD: "old-password", LANVAULT_NEW_PASSWORD: "new-password-2" }
    expect((await runCli(["passwd", "--json"], { home, env })).stdout).toBe('{\n  "keysetVersion": 3\n}\n')
    const short = await runCli(["passwd", "--password-stdin"], { home, stdin: "old-password\nshort\n" })
    expect(short.code).toBe(2)
    expect(short.stderr).toContain("at least 8 characters")
    expect(daemon.calls).toHaveLength(1)
  })

  it("passwd on a terminal asks the new password twice", async () => {
    daemon.handlers["account.changePassword"] = () => ({ keysetVersion: 4 })
    const prompts = scriptedPrompts(["old-password", "new-password-3", "new-password-3"], ["my third"])
    expect((await runCli(["passwd"], { home, tty: true, prompts })).code).toBe(0)
    expect(prompts.questions).toHaveLength(4)
    expect(prompts.questions[3]).toMatch(/^Password hint/)
    expect(daemon.calls[0].params).toEqual({ old: "old-password", new: "new-password-3", hint: "my third" })
  })

  it("passwd takes the hint from LANVAULT_HINT and --allow-weak, and refuses a hint holding the password", async () => {
    daemon.handlers["account.changePassword"] = () => ({ keysetVersion: 5 })
    const env = { LANVAULT_PASSWORD: "old-password", LANVAULT_NEW_PASSWORD: "new-password-4", LANVAULT_HINT: "the fourth" }
    expect((await runCli(["passwd", "--allow-weak"], { home, env })).code).toBe(0)
    expect(daemon.calls[0].params).toEqual({ old: "old-password", new: "new-password-4", hint: "the fourth", allowWeak: true })
    const giveaway = await runCli(["passwd"], { home, env: { ...env, LANVAULT_HINT: "it is NEW-PASSWORD-4" } })
    expect(giveaway.code).toBe(2)
    expect(giveaway.stderr).toContain("contains the password")
    expect(giveaway.stderr).not.toMatch(/new-password-4/i)
    expect(daemon.calls).toHaveLength(1)
  })

  it("reset without --yes and without a terminal is refused with exit 2, touching nothing", async () => {
    daemon.handlers["account.reset"] = () => ({ accountKey: NEW_KEY, accountId: STATUS.accountId })
    const result = await runCli(["reset"], { home, env: { LANVAULT_NEW_PASSWORD: "a-new-password" } })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("wipes this device's vault")
    expect(result.stderr).toContain("--yes")
    expect(daemon.calls).toEqual([])
  })

  it("reset --yes --qr goes through the running daemon and prints the new key with its QR code", async () => {
    daemon.handlers["account.reset"] = () => ({ accountKey: NEW_KEY, accountId: STATUS.accountId })
    const result = await runCli(["reset", "--yes", "--qr"], { home, env: { LANVAULT_NEW_PASSWORD: "a-new-password" } })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`    ${NEW_KEY}\n`)
    expect(result.stdout).toMatch(/[█▀▄]/)
    expect(daemon.calls).toEqual([{ method: "account.reset", params: { password: "a-new-password" } }])
  })

  it("reset on a terminal asks to confirm, then for the new password twice; a no stops it", async () => {
    daemon.handlers["account.reset"] = () => ({ accountKey: NEW_KEY, accountId: STATUS.accountId })
    const declined = await runCli(["reset"], { home, tty: true, prompts: scriptedPrompts([], ["no"]) })
    expect(declined.code).toBe(1)
    expect(daemon.calls).toEqual([])
    const prompts = scriptedPrompts(["a-new-password", "a-new-password"], ["y", ""])
    const accepted = await runCli(["reset", "--json"], { home, tty: true, prompts })
    expect(JSON.parse(accepted.stdout)).toEqual({ accountKey: NEW_KEY, accountId: STATUS.accountId })
  })
})

describe("init and offline reset on a real home", () => {
  const { dir: home, cleanup } = tempDir()
  afterAll(cleanup)

  it("refuses a short password with exit 2 and creates nothing", async () => {
    const result = await runCli(["init"], { home, env: { LANVAULT_PASSWORD: "short" } })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("at least 8 characters")
  })

  it("a new password typed on a terminal must match; after three misses nothing is created", async () => {
    const prompts = scriptedPrompts(["password-one", "password-two", "short", "password-one", "password-1"])
    const result = await runCli(["init"], { home, tty: true, prompts })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("the two entries differ")
    expect(result.stderr).not.toContain("password-one")
  })

  it("refuses a weak password with the estimator's feedback unless --allow-weak, and keeps the hint of LANVAULT_HINT", async () => {
    const other = tempDir()
    try {
      const weak = await runCli(["init"], { home: other.dir, env: { LANVAULT_PASSWORD: "password123" } })
      expect(weak.code).toBe(1)
      expect(weak.stderr).toContain("too easy to guess")
      expect(weak.stderr).toContain("--allow-weak")
      expect(weak.stderr).not.toContain("password123")
      const allowed = await runCli(["init", "--allow-weak", "--json"], { home: other.dir, env: { LANVAULT_PASSWORD: "password123", LANVAULT_HINT: "the usual" } })
      expect(allowed.code).toBe(0)
      const { SqliteStore } = await import("../../../src/store/index.js")
      const store = SqliteStore.open(join(other.dir, "vault.db"))
      try {
        expect(JSON.parse(store.getMeta("account.hint")!).text).toBe("the usual")
      } finally {
        store.close()
      }
    } finally {
      other.cleanup()
    }
  }, 60_000)

  it("kit on a home with no account key is a clear NO_ACCOUNT error and writes nothing", async () => {
    const other = tempDir()
    try {
      const result = await runCli(["kit", "--out", join(other.dir, "kit.pdf")], { home: other.dir })
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/no account key .*lanvault init/)
      expect(existsSync(join(other.dir, "kit.pdf"))).toBe(false)
    } finally {
      other.cleanup()
    }
  })

  let firstKey = ""

  it("creates the account and prints the key once, with a note and its QR code", async () => {
    const result = await runCli(["init", "--name", "desk"], { home, env: { LANVAULT_PASSWORD: "correct horse battery" } })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    firstKey = result.stdout.match(KEY_PATTERN)?.[0] ?? ""
    expect(firstKey).not.toBe("")
    expect(readFileSync(join(home, "account.key"), "utf8").trim()).toBe(firstKey)
    expect(result.stdout).toContain("shown only this once")
    expect(result.stdout).toContain("BOTH this account key and your account password")
    // stdout is not a terminal here: no QR block characters and no colours unless --qr.
    expect(result.stdout).not.toMatch(/[█▀▄]/)
    expect(result.stdout).not.toContain("\x1b")
    expect(result.stdout).toContain("add --qr")
  }, 30_000)

  it("refuses a second init on the same home before asking for a password", async () => {
    const result = await runCli(["init"], { home })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("already holds an account")
  })

  it("init --json prints accountKey, accountId and deviceId only", async () => {
    const other = tempDir()
    try {
      const result = await runCli(["init", "--json", "--password-stdin"], { home: other.dir, stdin: "correct horse battery\n" })
      expect(result.code).toBe(0)
      const json = JSON.parse(result.stdout)
      expect(Object.keys(json).sort()).toEqual(["accountId", "accountKey", "deviceId"])
      expect(json.accountKey).toMatch(KEY_PATTERN)
    } finally {
      other.cleanup()
    }
  }, 30_000)

  it("reset with no daemon running resets the home directly: a new key replaces the old", async () => {
    const result = await runCli(["reset", "--yes", "--qr", "--password-stdin"], { home, stdin: "a brand new password\n" })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/[█▀▄]/)
    expect(result.stdout).not.toContain("\x1b")
    const newKey = result.stdout.match(KEY_PATTERN)?.[0]
    expect(newKey).toBeDefined()
    expect(newKey).not.toBe(firstKey)
    expect(readFileSync(join(home, "account.key"), "utf8").trim()).toBe(newKey)
  }, 30_000)
})
