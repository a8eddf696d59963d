import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { FolderSync, type FolderSyncOptions } from "../../../src/folder/folder-sync.js"
import { encodeEntries, encodeLogFile, logFileName } from "../../../src/folder/lvlog-format.js"
import { encodeEntry, type LogEntry } from "../../../src/store/log-entry.js"
import { SqliteStore } from "../../../src/store/sqlite-store.js"
import { appendOwn, dump, makeAccount, sealEntries, tempDir, trustOf, waitFor, type TestAccount, type TestDevice } from "./folder-fixtures.js"

const TAG = "acct-test"
const SECRET = "CorrectHorseBatteryStaple-7731"
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function shared(): string {
  const dir = tempDir("lanvault-folder-")
  cleanups.push(dir.remove)
  return dir.path
}

function accountDir(path: string): string {
  return join(path, "lanvault", TAG)
}

function startSync(account: TestAccount, device: TestDevice, path: string, options: Partial<FolderSyncOptions> = {}) {
  const received: LogEntry[] = []
  const sync = new FolderSync(
    { store: device.store, logger: device.logger, accountId: account.accountId, deviceId: device.deviceId, onEntries: (e) => received.push(...e) },
    { path, accountTag: TAG, rescanIntervalMs: 150, ...options },
  )
  cleanups.push(() => sync.stop())
  return { sync, received }
}

/** Writes a file as a foreign writer would: directly, without a FolderSync. */
function writeLog(path: string, device: TestDevice, bytes: Uint8Array): string {
  mkdirSync(accountDir(path), { recursive: true })
  const file = join(accountDir(path), logFileName(device.deviceId))
  writeFileSync(file, bytes)
  return file
}

describe("FolderSync", () => {
  it("two devices that never meet converge through a shared folder", async () => {
    const account = makeAccount(["desktop", "laptop"])
    const [a, b] = account.devices
    const folder = shared()
    appendOwn(account, a, 5)
    appendOwn(account, b, 3)
    // No periodic rescan: what arrives after start comes through chokidar's events.
    const syncA = startSync(account, a, folder, { rescanIntervalMs: 600_000 })
    const syncB = startSync(account, b, folder, { rescanIntervalMs: 600_000 })
    await syncA.sync.start()
    await syncB.sync.start()
    await waitFor(() => expect(dump(a.store)).toEqual(dump(b.store)))
    expect(a.store.countEntries()).toBe(8)
    expect(syncA.received.map((e) => e.deviceId)).toEqual(Array(3).fill(b.deviceId))

    // A new edit on A reaches B through the folder.
    const more = appendOwn(account, a, 2)
    syncA.sync.publishLocal(more)
    await waitFor(() => expect(b.store.head(a.deviceId)).toBe(7))
    expect(syncB.received.filter((e) => e.deviceId === a.deviceId).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(syncA.sync.status()).toMatchObject({ devices: 2 })
    expect(syncA.sync.status().error).toBeUndefined()
    expect(syncA.sync.status().lastSyncAt).toBeGreaterThan(0)
    // A's file holds exactly A's own log.
    expect(new Uint8Array(readFileSync(join(accountDir(folder), logFileName(a.deviceId)))))
      .toEqual(encodeLogFile(a.store.entriesOf(a.deviceId, 0)))
  })

  it("writes in quick succession all arrive without waiting for a rescan (chokidar drops events < 50 ms apart)", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const folder = shared()
    const syncA = startSync(account, a, folder, { rescanIntervalMs: 600_000 })
    const syncB = startSync(account, b, folder, { rescanIntervalMs: 600_000 })
    await Promise.all([syncA.sync.start(), syncB.sync.start()])
    for (let i = 1; i <= 10; i++) {
      syncA.sync.publishLocal(appendOwn(account, a, 1))
      await waitFor(() => expect(b.store.head(a.deviceId)).toBe(i), 2_000)
    }
    for (let i = 0; i < 5; i++) {
      syncA.sync.publishLocal(appendOwn(account, a, 1))
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await waitFor(() => expect(b.store.head(a.deviceId)).toBe(15), 2_000)
  })

  it("converges between SQLite stores with native polling (network share mode)", async () => {
    const dir = tempDir("lanvault-folder-db-")
    const stores: SqliteStore[] = []
    cleanups.push(dir.remove, () => stores.forEach((s) => s.close()))
    let n = 0
    const account = makeAccount(["a", "b"], () => {
      const store = SqliteStore.open(join(dir.path, `v${++n}.db`))
      stores.push(store)
      return store
    })
    const [a, b] = account.devices
    const folder = shared()
    appendOwn(account, a, 4)
    const syncA = startSync(account, a, folder, { pollIntervalMs: 50 })
    const syncB = startSync(account, b, folder, { pollIntervalMs: 50 })
    await Promise.all([syncA.sync.start(), syncB.sync.start()])
    await waitFor(() => expect(b.store.head(a.deviceId)).toBe(4))
    const more = appendOwn(account, b, 2)
    syncB.sync.publishLocal(more)
    await waitFor(() => expect(dump(a.store)).toEqual(dump(b.store)))
  })

  it("a half-written entry is ingested once the rest arrives", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const folder = shared()
    const entries = sealEntries(account, b, 1, 3)
    const whole = encodeLogFile(entries)
    const half = whole.length - Math.floor(encodeEntry(entries[2]).length / 2)
    const file = writeLog(folder, b, whole.subarray(0, half))
    const { sync, received } = startSync(account, a, folder, { rescanIntervalMs: 600_000 })
    await sync.start()
    await waitFor(() => expect(a.store.head(b.deviceId)).toBe(2))
    writeFileSync(file, whole.subarray(half), { flag: "a" })
    await waitFor(() => expect(a.store.head(b.deviceId)).toBe(3))
    expect(received.map((e) => e.seq)).toEqual([1, 2, 3])
    expect(sync.status().error).toBeUndefined()
  })

  it("a file replaced by a copy (renamed over) is read again from the start", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const folder = shared()
    const entries = sealEntries(account, b, 1, 4)
    writeLog(folder, b, encodeLogFile(entries.slice(0, 2)))
    const { sync, received } = startSync(account, a, folder, { rescanIntervalMs: 600_000 })
    await sync.start()
    await waitFor(() => expect(a.store.head(b.deviceId)).toBe(2))
    // A sync tool downloads the new version beside it and renames it over.
    const temp = join(accountDir(folder), ".sync-tmp")
    writeFileSync(temp, encodeLogFile(entries))
    renameSync(temp, join(accountDir(folder), logFileName(b.deviceId)))
    await waitFor(() => expect(a.store.head(b.deviceId)).toBe(4))
    expect(received.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(sync.status().error).toBeUndefined()
  })

  it("files arriving out of order: another device's file first, and a gap that closes later", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    const folder = shared()
    const { sync } = startSync(account, a, folder)
    await sync.start()
    // C's file arrives before B's: each device's log only needs its own seqs contiguous.
    writeLog(folder, c, encodeLogFile(sealEntries(account, c, 1, 2)))
    await waitFor(() => expect(a.store.head(c.deviceId)).toBe(2))
    const bEntries = sealEntries(account, b, 1, 6)
    a.store.insertEntries(bEntries.slice(0, 2))
    // B's file as some tool left it: only seq 5 and 6, while A holds B up to 2.
    writeLog(folder, b, encodeLogFile(bEntries.slice(4)))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(a.store.head(b.deviceId)).toBe(2)
    expect(sync.status().error).toBeUndefined()
    // seq 3 and 4 come another way (a LAN peer); the next pass takes 5 and 6.
    a.store.insertEntries(bEntries.slice(2, 4))
    await waitFor(() => expect(a.store.head(b.deviceId)).toBe(6))
  })

  it("a corrupted file is reported and ignored; the vault and other files are untouched", async () => {
    const account = makeAccount(["a", "b", "c", "d"])
    const [a, b, c, d] = account.devices
    const folder = shared()
    const bEntries = sealEntries(account, b, 1, 3)
    const bad = encodeLogFile(bEntries)
    // Flip a ciphertext byte of entry 2: its signature no longer matches.
    const secondAt = bad.length - encodeEntry(bEntries[2]).length - encodeEntry(bEntries[1]).length
    bad[secondAt + 40] ^= 0xff
    writeLog(folder, b, bad)
    writeLog(folder, c, new Uint8Array(Buffer.from("LVLOG1\nthis is not a log entry at all, just garbage bytes")))
    writeLog(folder, d, encodeLogFile(sealEntries(account, d, 1, 2)))
    const { sync } = startSync(account, a, folder)
    await sync.start()
    await waitFor(() => expect(a.store.head(d.deviceId)).toBe(2))
    expect(a.store.head(b.deviceId)).toBe(1)
    expect(a.store.head(c.deviceId)).toBe(0)
    const error = sync.status().error ?? ""
    expect(error).toContain(logFileName(b.deviceId))
    expect(error).toContain(logFileName(c.deviceId))
    expect(a.logger.lines.some((l) => l.level === "warn" && l.message.includes("corrupt"))).toBe(true)
    // The device fixes its file (a good copy replaces it): the error clears and the rest comes in.
    writeLog(folder, b, encodeLogFile(bEntries))
    await waitFor(() => expect(a.store.head(b.deviceId)).toBe(3))
    expect(sync.status().error).not.toContain(logFileName(b.deviceId))
  })

  it("a file of a device not in the trust list is ignored with a warning, and read once it is trusted", async () => {
    const account = makeAccount(["a", "b"])
    const newcomer = makeAccount(["x"]).devices[0]
    const [a] = account.devices
    const folder = shared()
    writeLog(folder, newcomer, encodeLogFile(sealEntries(account, newcomer, 1, 2)))
    const { sync } = startSync(account, a, folder, { rescanIntervalMs: 600_000 })
    await sync.start()
    expect(a.store.head(newcomer.deviceId)).toBe(0)
    expect(a.logger.lines.some((l) => l.level === "warn" && l.message.includes("not in the trust list"))).toBe(true)
    expect(sync.status().error).toBeUndefined()
    // Paired through another device: the trust list learns it, and the daemon asks for a refresh.
    a.store.putTrust(trustOf(newcomer))
    await sync.refresh()
    expect(a.store.head(newcomer.deviceId)).toBe(2)
  })

  it("a revoked device's file is no longer read", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const folder = shared()
    const entries = sealEntries(account, b, 1, 3)
    writeLog(folder, b, encodeLogFile(entries.slice(0, 1)))
    const { sync } = startSync(account, a, folder)
    await sync.start()
    expect(a.store.head(b.deviceId)).toBe(1)
    a.store.revokeTrust(b.deviceId, 5_000)
    writeLog(folder, b, encodeLogFile(entries))
    await waitFor(() => expect(a.logger.lines.some((l) => l.message.includes("a revoked device"))).toBe(true))
    await sync.refresh()
    expect(a.store.head(b.deviceId)).toBe(1)
  })

  it("a folder that disappears (USB unplugged) shows an error, then sync resumes when it is back", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const folder = shared()
    appendOwn(account, a, 1)
    const syncA = startSync(account, a, folder)
    const syncB = startSync(account, b, folder)
    await Promise.all([syncA.sync.start(), syncB.sync.start()])
    await waitFor(() => expect(b.store.head(a.deviceId)).toBe(1))
    rmSync(folder, { recursive: true, force: true })
    await waitFor(() => expect(syncA.sync.status().error).toContain("not reachable"))
    expect(syncA.sync.status().devices).toBe(0)
    syncA.sync.publishLocal(appendOwn(account, a, 2))
    mkdirSync(folder)
    await waitFor(() => expect(b.store.head(a.deviceId)).toBe(3))
    syncB.sync.publishLocal(appendOwn(account, b, 1))
    await waitFor(() => expect(a.store.head(b.deviceId)).toBe(1))
    expect(syncA.sync.status().error).toBeUndefined()
    expect(existsSync(join(accountDir(folder), logFileName(a.deviceId)))).toBe(true)
  })

  it("this device's file is rewritten when a sync tool deletes, truncates or mangles it", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const folder = shared()
    appendOwn(account, a, 4)
    const own = join(accountDir(folder), logFileName(a.deviceId))
    const expected = () => encodeLogFile(a.store.entriesOf(a.deviceId, 0))
    const { sync } = startSync(account, a, folder)
    await sync.start()
    expect(new Uint8Array(readFileSync(own))).toEqual(expected())

    rmSync(own)
    await waitFor(() => expect(new Uint8Array(readFileSync(own))).toEqual(expected()))
    // Cut inside an entry: rewritten whole through a temporary name.
    truncateSync(own, statSync(own).size - 10)
    await waitFor(() => expect(new Uint8Array(readFileSync(own))).toEqual(expected()))
    // Cut at an entry boundary: a valid prefix, grown by appending.
    truncateSync(own, encodeLogFile(a.store.entriesOf(a.deviceId, 0, 2)).length)
    await waitFor(() => expect(new Uint8Array(readFileSync(own))).toEqual(expected()))
    writeFileSync(own, "mangled by a sync tool")
    await waitFor(() => expect(new Uint8Array(readFileSync(own))).toEqual(expected()))
    expect(readdirSync(accountDir(folder))).toEqual([logFileName(a.deviceId)])
  })

  it("an existing file is kept on start and only the missing entries are appended", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const folder = shared()
    appendOwn(account, a, 3)
    const own = writeLog(folder, a, encodeLogFile(a.store.entriesOf(a.deviceId, 0, 2)))
    const inode = statSync(own).ino
    const { sync } = startSync(account, a, folder)
    await sync.start()
    expect(new Uint8Array(readFileSync(own))).toEqual(encodeLogFile(a.store.entriesOf(a.deviceId, 0)))
    expect(statSync(own).ino).toBe(inode)
  })

  it("own entries the store lost (an older backup restored) are taken back from the file", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const folder = shared()
    const entries = sealEntries(account, a, 1, 3)
    a.store.appendOwn(entries[0])
    writeLog(folder, a, encodeLogFile(entries))
    const { sync, received } = startSync(account, a, folder)
    await sync.start()
    expect(a.store.head(a.deviceId)).toBe(3)
    expect(received.map((e) => e.seq)).toEqual([2, 3])
  })

  it("the files in the folder hold no plaintext of a record", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const folder = shared()
    appendOwn(account, a, 3, `{"title":"bank","password":"${SECRET}"}`)
    appendOwn(account, b, 2, `{"notes":"${SECRET}"}`)
    const syncA = startSync(account, a, folder)
    const syncB = startSync(account, b, folder)
    await Promise.all([syncA.sync.start(), syncB.sync.start()])
    await waitFor(() => expect(dump(a.store)).toEqual(dump(b.store)))
    const files = readdirSync(accountDir(folder))
    expect(files).toHaveLength(2)
    for (const name of files) {
      const bytes = readFileSync(join(accountDir(folder), name))
      expect(bytes.length).toBeGreaterThan(100)
      expect(bytes.includes(SECRET)).toBe(false)
      expect(bytes.includes(Buffer.from(SECRET, "utf16le"))).toBe(false)
      expect(bytes.includes("password")).toBe(false)
    }
  })

  it("start and stop are idempotent, and a stopped sync writes nothing", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const folder = shared()
    const { sync } = startSync(account, a, folder)
    await Promise.all([sync.start(), sync.start()])
    await sync.stop()
    await sync.stop()
    const own = join(accountDir(folder), logFileName(a.deviceId))
    const size = statSync(own).size
    sync.publishLocal(appendOwn(account, a, 1))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(statSync(own).size).toBe(size)
    await sync.start()
    expect(statSync(own).size).toBeGreaterThan(size)
    expect(encodeEntries([])).toHaveLength(0)
  })

  it("refuses an account tag that is not a plain folder name", () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const deps = { store: a.store, logger: a.logger, accountId: account.accountId, deviceId: a.deviceId, onEntries: () => undefined }
    expect(() => new FolderSync(deps, { path: "/tmp", accountTag: "../x" })).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
  })
})
