import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it, vi } from "vitest"
import { BackupService, type BackupServiceOptions } from "../../../src/backup/backup-service.js"
import { toHex } from "../../../src/crypto/index.js"
import { appendOwn, dump, recordingLogger, tempDir } from "../folder/folder-fixtures.js"
import { makeVault, type TestVault } from "./backup-fixtures.js"

const SECRET = "hunter2-VeryDistinctive-Secret-9931"
const HOUR_MS = 60 * 60 * 1000
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function service(vault: TestVault, options: BackupServiceOptions = {}, device = vault.devices[0]) {
  const home = tempDir("lanvault-backup-")
  cleanups.push(home.remove)
  let clock = Date.UTC(2025, 0, 1)
  const logger = recordingLogger()
  const backups = new BackupService({ store: device.store, accountId: toHex(vault.accountId), logger, home: home.path }, { now: () => clock, ...options })
  cleanups.push(() => backups.stop())
  return { backups, home: home.path, logger, advance: (ms: number) => (clock += ms), now: () => clock }
}

describe("BackupService: create, list, prune", () => {
  it("writes a 0600 file in a 0700 directory that holds everything and no plaintext", async () => {
    const vault = await makeVault(["desktop", "laptop"])
    const [a, b] = vault.devices
    appendOwn(vault, a, 4, `{"password":"${SECRET}"}`)
    a.store.insertEntries(appendOwn(vault, b, 2, `{"notes":"${SECRET}"}`))
    const { backups, home } = service(vault)
    const info = await backups.create()
    expect(info.path).toMatch(/lanvault-2025-01-01T00-00-00\.000Z\.lvbackup$/)
    expect(info).toMatchObject({ entries: 6, createdAt: Date.UTC(2025, 0, 1), generation: 1, keysetVersion: 1 })
    expect(info.bytes).toBe(statSync(info.path).size)
    expect(statSync(info.path).mode & 0o777).toBe(0o600)
    expect(statSync(join(home, "backups")).mode & 0o777).toBe(0o700)
    const bytes = readFileSync(info.path)
    expect(bytes.includes(SECRET)).toBe(false)
    expect(bytes.includes("password")).toBe(false)
    expect(bytes.subarray(0, 10).toString()).toBe("LVBACKUP1\n")

    const backup = await BackupService.readBackup(info.path)
    expect(backup.header).toMatchObject({ accountId: toHex(vault.accountId), generation: 1, entryCount: 6, deviceName: "desktop", keysetVersion: 1 })
    expect(backup.keyset).toEqual(vault.keyset)
    expect(backup.trust.map((t) => t.deviceId).sort()).toEqual([a.deviceId, b.deviceId].sort())
    expect(backup.entries.map((e) => `${e.deviceId}:${e.seq}:${toHex(e.signature)}`)).toEqual(dump(a.store))
    expect(await backups.list()).toEqual([info])
    expect(readdirSync(join(home, "backups"))).toHaveLength(1)
  })

  it("keeps only the newest `keep` backups, newest first", async () => {
    const vault = await makeVault(["a"])
    const { backups, advance } = service(vault, { keep: 3 })
    const made = []
    for (let i = 0; i < 5; i++) {
      appendOwn(vault, vault.devices[0], 1)
      made.push(await backups.create())
      advance(60_000)
    }
    const listed = await backups.list()
    expect(listed.map((b) => b.path)).toEqual(made.slice(2).reverse().map((b) => b.path))
    expect(listed.map((b) => b.entries)).toEqual([5, 4, 3])
  })

  it("two backups in the same millisecond get distinct names", async () => {
    const vault = await makeVault(["a"])
    const { backups } = service(vault)
    const [one, two] = await Promise.all([backups.create(), backups.create()])
    expect(one.path).not.toBe(two.path)
    expect(await backups.list()).toHaveLength(2)
  })

  it("list skips files that are not readable backups", async () => {
    const vault = await makeVault(["a"])
    const { backups } = service(vault)
    const info = await backups.create()
    writeFileSync(join(backups.dir, "lanvault-2020-01-01T00-00-00.000Z.lvbackup"), "garbage")
    writeFileSync(join(backups.dir, "notes.txt"), "unrelated")
    expect(await backups.list()).toEqual([info])
  })

  it("refuses to back up a home without an account", async () => {
    const vault = await makeVault(["a"])
    vault.devices[0].store.wipeAccountData()
    const { backups } = service(vault)
    await expect(backups.create()).rejects.toMatchObject({ code: "NO_ACCOUNT" })
  })
})

describe("BackupService: automatic backups", () => {
  it("makes one after every `everyChanges` own changes", async () => {
    const vault = await makeVault(["a"])
    const { backups } = service(vault, { everyChanges: 5 })
    expect(await backups.noteLocalChanges(3)).toBeUndefined()
    const first = await backups.noteLocalChanges(2)
    expect(first).toBeDefined()
    expect(await backups.noteLocalChanges(4)).toBeUndefined()
    expect(await backups.noteLocalChanges(1)).toBeDefined()
    expect(await backups.list()).toHaveLength(2)
  })

  it("writes a burst of changes as one backup once the minimum interval has passed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] })
    try {
      const vault = await makeVault(["a"])
      const { backups, advance } = service(vault, { everyChanges: 1, minIntervalMs: 60_000 })
      expect(await backups.noteLocalChanges(1)).toBeDefined()
      for (let i = 0; i < 20; i++) expect(await backups.noteLocalChanges(1)).toBeUndefined()
      expect(await backups.list()).toHaveLength(1)
      advance(60_000)
      vi.advanceTimersByTime(60_000)
      await vi.waitFor(async () => expect(await backups.list()).toHaveLength(2))
    } finally {
      vi.useRealTimers()
    }
  })

  it("spaces change-triggered backups by their cost: one that took 3 s waits 150 s at a busy share of 2 %", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] })
    try {
      const vault = await makeVault(["a"])
      appendOwn(vault, vault.devices[0], 3)
      const home = tempDir("lanvault-backup-")
      cleanups.push(home.remove)
      let clock = Date.UTC(2025, 0, 1)
      // Reading the log is what takes a backup's time: 3 s a page here.
      const store = vault.devices[0].store
      const slow = new Proxy(store, {
        get: (target, key) => key === "entriesOf" ? (...args: Parameters<typeof store.entriesOf>) => ((clock += 3_000), target.entriesOf(...args)) : Reflect.get(target, key, target),
      })
      const backups = new BackupService({ store: slow, accountId: toHex(vault.accountId), logger: recordingLogger(), home: home.path }, { now: () => clock, everyChanges: 1, minIntervalMs: 60_000, busyShare: 0.02 })
      cleanups.push(() => backups.stop())
      expect(await backups.noteLocalChanges(1)).toBeDefined()
      const firstAt = clock
      expect(await backups.noteLocalChanges(1)).toBeUndefined()
      clock = firstAt + 60_000
      vi.advanceTimersByTime(60_000)
      expect(await backups.noteLocalChanges(1)).toBeUndefined() // the minimum interval alone would allow it now
      expect(await backups.list()).toHaveLength(1)
      clock = firstAt + 150_000
      vi.advanceTimersByTime(150_000)
      await vi.waitFor(async () => expect(await backups.list()).toHaveLength(2))
    } finally {
      vi.useRealTimers()
    }
  })

  it("waits with a due change-triggered backup until no activity came for quietMs, and at most 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] })
    try {
      const vault = await makeVault(["a"])
      const { backups, advance } = service(vault, { everyChanges: 1, quietMs: 5_000 })
      const step = async (ms: number) => {
        advance(ms)
        vi.advanceTimersByTime(ms)
        await Promise.resolve()
      }
      backups.noteActivity()
      expect(await backups.noteLocalChanges(1)).toBeUndefined() // due, but a request just came
      await step(4_000)
      backups.noteActivity()
      await step(4_000) // 5 s after the first request: the second one keeps it waiting
      expect(await backups.list()).toHaveLength(0)
      await step(1_000)
      await vi.waitFor(async () => expect(await backups.list()).toHaveLength(1))

      backups.noteActivity()
      expect(await backups.noteLocalChanges(1)).toBeUndefined()
      // Activity every 2 s for ever: the backup still comes, 10 minutes after it was due.
      for (let elapsed = 0; elapsed < 10 * 60_000 - 2_000; elapsed += 2_000) {
        backups.noteActivity()
        await step(2_000)
      }
      expect(await backups.list()).toHaveLength(1)
      backups.noteActivity()
      await step(2_000)
      await vi.waitFor(async () => expect(await backups.list()).toHaveLength(2))
    } finally {
      vi.useRealTimers()
    }
  })

  it("makes one daily when the vault changed, and the first one at once", async () => {
    const vault = await makeVault(["a"])
    const [a] = vault.devices
    const { backups, advance } = service(vault, { everyMs: 24 * HOUR_MS, everyChanges: 1000 })
    expect(await backups.tick()).toBeDefined() // none yet
    advance(23 * HOUR_MS)
    appendOwn(vault, a, 1)
    expect(await backups.tick()).toBeUndefined() // not a day old
    advance(2 * HOUR_MS)
    expect(await backups.tick()).toMatchObject({ entries: 1 })
    advance(48 * HOUR_MS)
    expect(await backups.tick()).toBeUndefined() // nothing changed since
    await backups.noteLocalChanges(1)
    expect(await backups.tick()).toBeDefined()
    expect(await backups.list()).toHaveLength(3)
  })

  it("an automatic backup that fails is logged, not thrown", async () => {
    const vault = await makeVault(["a"])
    const blocker = tempDir("lanvault-blocked-")
    cleanups.push(blocker.remove)
    writeFileSync(join(blocker.path, "file"), "a file where the backup directory should be")
    const { backups, logger } = service(vault, { everyChanges: 1, dir: join(blocker.path, "file", "backups") })
    expect(await backups.noteLocalChanges(1)).toBeUndefined()
    expect(logger.lines.some((l) => l.level === "warn" && l.message.includes("automatic backup failed"))).toBe(true)
  })

  it("start and stop are idempotent; start checks at once", async () => {
    const vault = await makeVault(["a"])
    const { backups } = service(vault)
    backups.start()
    backups.start()
    await backups.stop()
    await backups.stop()
    expect(await backups.list()).toHaveLength(1)
  })
})
