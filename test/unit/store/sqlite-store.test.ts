import Database from "better-sqlite3"
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it, vi } from "vitest"
import { readStanding } from "../../../src/account/index.js"
import { generateDeviceKeys, randomBytes, utf8 } from "../../../src/crypto/index.js"
import { openEntry, sealEntry, verifyEntry } from "../../../src/store/log-entry.js"
import { SQL, SCHEMA_VERSION } from "../../../src/store/sqlite-schema.js"
import { openConnection, withoutDiskWait, type SqliteStoreOptions } from "../../../src/store/sqlite-connection.js"
import { mapSqliteError } from "../../../src/store/sqlite-file.js"
import { SqliteStore } from "../../../src/store/sqlite-store.js"
import { DEVICE_A, DEVICE_B, fakeEntry, fakeLog, thrown, trustEntry } from "./fixtures.js"

const root = mkdtempSync(join(tmpdir(), "lanvault-sqlite-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let files = 0
const open: SqliteStore[] = []
afterEach(() => {
  for (const store of open.splice(0)) store.close()
})

function newPath(): string {
  return join(root, `vault-${++files}.db`)
}

function openStore(path: string, options?: SqliteStoreOptions): SqliteStore {
  const store = SqliteStore.open(path, options)
  open.push(store)
  return store
}

/** A closed vault file holding a few pages of entries. */
function filledFile(entries = 300): string {
  const path = newPath()
  const store = SqliteStore.open(path)
  store.insertEntries(fakeLog(DEVICE_A, entries))
  store.setMeta("accountId", "acc")
  store.close()
  return path
}

function mode(path: string): number {
  return statSync(path).mode & 0o777
}

describe("SqliteStore files", () => {
  it("creates the database and its WAL siblings with mode 0600", () => {
    const path = newPath()
    const store = openStore(path)
    store.insertEntries(fakeLog(DEVICE_A, 5))
    expect(mode(path)).toBe(0o600)
    const siblings = ["-wal", "-shm"].map((s) => path + s).filter(existsSync)
    expect(siblings.length).toBeGreaterThan(0)
    for (const file of siblings) expect(mode(file)).toBe(0o600)
  })

  it("tightens an existing vault file to 0600 on open", () => {
    const path = filledFile(1)
    chmodSync(path, 0o644)
    openStore(path)
    expect(mode(path)).toBe(0o600)
  })

  it("keeps everything across close and reopen", () => {
    const path = newPath()
    const identity = { deviceId: DEVICE_A, signSecret: randomBytes(32), dhSecret: randomBytes(32) }
    const first = SqliteStore.open(path)
    first.setMeta("accountId", "acc")
    first.setIdentity(identity)
    first.appendOwn(fakeEntry(DEVICE_A, 1))
    first.insertEntries(fakeLog(DEVICE_B, 3))
    first.putSnapshot({ bucket: 2, epoch: 1, vector: { [DEVICE_B]: 3 }, ciphertext: Uint8Array.of(9) })
    first.putKeyset(5, Uint8Array.of(5))
    first.putTrust(trustEntry(DEVICE_B, 10, { lastSeenAt: 11 }))
    first.close()
    first.close() // idempotent

    const again = openStore(path)
    expect(again.getMeta("accountId")).toBe("acc")
    expect(again.getIdentity()).toEqual(identity)
    expect(again.versionVector()).toEqual({ [DEVICE_A]: 1, [DEVICE_B]: 3 })
    expect(again.entriesAfter({})).toEqual([fakeEntry(DEVICE_A, 1), ...fakeLog(DEVICE_B, 3)])
    expect(again.snapshots()).toEqual([{ bucket: 2, epoch: 1, vector: { [DEVICE_B]: 3 }, ciphertext: Uint8Array.of(9) }])
    expect(again.getKeyset()).toEqual({ version: 5, blob: Uint8Array.of(5) })
    expect(again.getTrust(DEVICE_B)).toEqual(trustEntry(DEVICE_B, 10, { lastSeenAt: 11 }))
  })

  it("reads this device's id without opening its secrets (the standing check before every write needs only the id)", () => {
    const store = openStore(newPath())
    const identity = { deviceId: DEVICE_A, signSecret: randomBytes(32), dhSecret: randomBytes(32) }
    store.setIdentity(identity)
    const secrets = (store as unknown as { secrets: { open: (...args: unknown[]) => Uint8Array } }).secrets
    const open = vi.spyOn(secrets, "open")
    expect(readStanding(store)).toBeUndefined()
    expect(store.getDeviceId()).toBe(DEVICE_A)
    expect(open).not.toHaveBeenCalled()
    expect(store.getIdentity()).toEqual(identity)
    expect(open).toHaveBeenCalledTimes(2)
  })

  it("entries stored without waiting for the disk are kept across close and reopen; every other commit still waits for it", () => {
    const path = newPath()
    const first = SqliteStore.open(path)
    const synchronous = () => (first as unknown as { db: Database.Database }).db.pragma("synchronous", { simple: true })
    const FULL = 2
    expect(first.insertEntries(fakeLog(DEVICE_B, 3), { waitForDisk: false }).inserted).toEqual(fakeLog(DEVICE_B, 3))
    expect(synchronous()).toBe(FULL)
    // A refused batch (a gap) stores nothing and leaves the setting as it was.
    expect(thrown(() => first.insertEntries([fakeEntry(DEVICE_B, 5)], { waitForDisk: false })).code).toBe("SEQUENCE_GAP")
    expect(synchronous()).toBe(FULL)
    // Inside an open transaction (where SQLite refuses the switch) the outer commit decides.
    first.transaction(() => first.insertEntries([fakeEntry(DEVICE_B, 4)], { waitForDisk: false }))
    expect(synchronous()).toBe(FULL)
    first.close()
    expect(openStore(path).entriesAfter({})).toEqual(fakeLog(DEVICE_B, 4))
  })

  it("withoutDiskWait commits with synchronous=NORMAL and restores FULL, also when the work throws", () => {
    const db = new Database(newPath())
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = FULL")
    const NORMAL = 1
    expect(withoutDiskWait(db, () => db.pragma("synchronous", { simple: true }))).toBe(NORMAL)
    expect(() => withoutDiskWait(db, () => {
      throw new Error("refused")
    })).toThrow("refused")
    expect(db.pragma("synchronous", { simple: true })).toBe(2)
    db.close()
  })

  it("a connection keeps a 2 MiB page cache (not better-sqlite3's 16), read-only ones too; releaseMemory leaves the data readable", () => {
    const path = newPath()
    const store = openStore(path)
    store.insertEntries(fakeLog(DEVICE_B, 3))
    for (const readonly of [false, true]) {
      const db = openConnection(path, { readonly })
      expect(db.pragma("cache_size", { simple: true })).toBe(-2_048)
      db.close()
    }
    store.releaseMemory()
    expect(store.entriesAfter({})).toEqual(fakeLog(DEVICE_B, 3))
  })

  it("putKeyset keeps the highest version across reopen", () => {
    const path = newPath()
    const first = SqliteStore.open(path)
    first.putKeyset(3, Uint8Array.of(3))
    first.close()
    const again = openStore(path)
    expect(again.putKeyset(2, Uint8Array.of(2))).toBe(false)
    expect(again.getKeyset()).toEqual({ version: 3, blob: Uint8Array.of(3) })
    expect(again.putKeyset(4, Uint8Array.of(4))).toBe(true)
    expect(again.getKeyset()?.version).toBe(4)
  })

  it("stamps the schema version", () => {
    const path = newPath()
    openStore(path).close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION)
    db.close()
  })

  it("opens an existing empty file as a new vault", () => {
    const path = newPath()
    writeFileSync(path, "")
    const store = openStore(path)
    store.appendOwn(fakeEntry(DEVICE_A, 1))
    expect(store.head(DEVICE_A)).toBe(1)
    expect(mode(path)).toBe(0o600)
  })
})

describe("SqliteStore refuses damaged or foreign files and leaves them unchanged", () => {
  function expectRefusedUnchanged(path: string, code = "CORRUPT_DATA"): Error {
    const before = readFileSync(path)
    const error = thrown(() => openStore(path))
    expect(error.code).toBe(code)
    expect(readFileSync(path).equals(before)).toBe(true)
    return error
  }

  it.each([
    ["by one page", (size: number) => size - 4096],
    ["to half", (size: number) => Math.floor(size / 2 / 4096) * 4096],
    ["to one page", () => 4096],
    ["mid-page", (size: number) => size - 1000],
    ["inside the header", () => 50],
  ])("a file truncated %s is CORRUPT_DATA naming the file and saying it was not changed", (_, cut) => {
    const path = filledFile()
    truncateSync(path, cut(statSync(path).size))
    const error = expectRefusedUnchanged(path)
    expect(error.message).toContain(path)
    expect(error.message).toContain("not changed")
    expect(error.message).toContain("backup")
    expect(existsSync(path + "-wal")).toBe(false)
  })

  it("a file of random bytes is CORRUPT_DATA", () => {
    const path = newPath()
    writeFileSync(path, randomBytes(10_000))
    expectRefusedUnchanged(path)
  })

  it("a text file is CORRUPT_DATA", () => {
    const path = newPath()
    writeFileSync(path, "my passwords\n".repeat(500))
    expectRefusedUnchanged(path)
  })

  it("a damaged page inside a whole-length file fails the integrity check", () => {
    const path = filledFile(2_000)
    const bytes = readFileSync(path)
    const page = 4096
    const middle = Math.floor(bytes.length / page / 2) * page
    bytes.fill(0xa5, middle, middle + page)
    writeFileSync(path, bytes)
    expectRefusedUnchanged(path)
  })

  it("another program's SQLite database is CORRUPT_DATA", () => {
    const path = newPath()
    const db = new Database(path)
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ann')")
    db.close()
    expectRefusedUnchanged(path)
  })

  it("a vault from a newer lanvault is UNSUPPORTED_FORMAT", () => {
    const path = filledFile(5)
    const db = new Database(path)
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    expectRefusedUnchanged(path, "UNSUPPORTED_FORMAT")
  })

  it("a directory is CORRUPT_DATA", () => {
    const path = mkdtempSync(join(root, "dir-"))
    expect(thrown(() => openStore(path)).code).toBe("CORRUPT_DATA")
  })
})

describe("SqliteStore data checks", () => {
  it("returns a tampered row as it is (callers verify) but still refuses a gap", () => {
    const path = newPath()
    const accountId = randomBytes(16)
    const vaultKey = randomBytes(32)
    const keys = generateDeviceKeys()
    const seal = (seq: number) => sealEntry({
      accountId, deviceId: DEVICE_A, seq, epoch: 1, vaultKey, signSecret: keys.signSecret, payload: utf8(`change ${seq}`),
    })
    const first = SqliteStore.open(path)
    first.insertEntries([seal(1), seal(2)])
    first.close()

    const db = new Database(path)
    db.prepare("UPDATE entries SET ciphertext = ? WHERE device_id = ? AND seq = 2").run(new Uint8Array(60).fill(7), DEVICE_A)
    db.close()

    const store = openStore(path)
    const [one, two] = store.entriesOf(DEVICE_A, 0)
    verifyEntry(one, accountId, keys.signPublic)
    expect(two.ciphertext).toEqual(new Uint8Array(60).fill(7))
    expect(thrown(() => verifyEntry(two, accountId, keys.signPublic)).code).toBe("BAD_SIGNATURE")
    expect(thrown(() => openEntry(two, accountId, vaultKey)).code).toBe("DECRYPTION_FAILED")
    expect(thrown(() => store.insertEntries([seal(4)])).code).toBe("SEQUENCE_GAP")
    expect(store.head(DEVICE_A)).toBe(2)
  })

  it("a full disk is STORAGE_FULL and leaves no part of the batch behind", () => {
    const path = newPath()
    const store = openStore(path, { maxBytes: 256 * 1024 })
    store.insertEntries(fakeLog(DEVICE_A, 100))
    const big = Array.from({ length: 5_000 }, (_, i) => ({ ...fakeEntry(DEVICE_B, i + 1), ciphertext: new Uint8Array(200).fill(i & 0xff) }))
    const error = thrown(() => store.insertEntries(big))
    expect(error.code).toBe("STORAGE_FULL")
    expect(error.message).toMatch(/^disk full/)
    expect(store.versionVector()).toEqual({ [DEVICE_A]: 100 })
    expect(store.countEntries()).toBe(100)
    store.appendOwn(fakeEntry(DEVICE_A, 101)) // still usable for small writes
    store.close()
    expect(openStore(path).head(DEVICE_A)).toBe(101)
  })

  it("maps SQLite's full-disk, I/O, damage and read-only codes to lanvault codes", () => {
    const sqlite = (code: string) => Object.assign(new Error(code), { code })
    const mapped = (code: string) => (mapSqliteError(sqlite(code), "/x/vault.db") as { code?: string }).code
    expect(mapped("SQLITE_FULL")).toBe("STORAGE_FULL")
    expect(mapped("SQLITE_IOERR_WRITE")).toBe("STORAGE_FULL")
    expect(mapped("SQLITE_IOERR_FSYNC")).toBe("STORAGE_FULL")
    expect(mapped("SQLITE_CORRUPT")).toBe("CORRUPT_DATA")
    expect(mapped("SQLITE_NOTADB")).toBe("CORRUPT_DATA")
    expect(mapped("SQLITE_READONLY")).toBe("NOT_ALLOWED")
    const other = new TypeError("not sqlite")
    expect(mapSqliteError(other, "/x/vault.db")).toBe(other)
  })

  it("a read-only open reads but refuses writes with NOT_ALLOWED", () => {
    const path = filledFile(3)
    const store = openStore(path, { readonly: true })
    expect(store.head(DEVICE_A)).toBe(3)
    expect(store.getMeta("accountId")).toBe("acc")
    expect(thrown(() => store.setMeta("x", "y")).code).toBe("NOT_ALLOWED")
    expect(thrown(() => store.appendOwn(fakeEntry(DEVICE_A, 4))).code).toBe("NOT_ALLOWED")
  })

  it("a read-only open of a missing file is NOT_FOUND and creates nothing", () => {
    const path = newPath()
    expect(thrown(() => openStore(path, { readonly: true })).code).toBe("NOT_FOUND")
    expect(existsSync(path)).toBe(false)
  })
})

describe("SqliteStore at scale", () => {
  it("entriesOf is a primary-key range search, not a table scan", () => {
    const store = openStore(newPath())
    store.appendOwn(fakeEntry(DEVICE_A, 1))
    const db = new Database(store.path, { readonly: true })
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${SQL.entriesOf}`).all(DEVICE_A, 0, -1) as Array<{ detail: string }>
    db.close()
    expect(plan.map((p) => p.detail).join("\n")).toMatch(/SEARCH entries USING PRIMARY KEY \(device_id=\? AND seq>\?\)/)
  })

  it("entriesAfter on 100k entries with a vector missing one entry returns that one entry", () => {
    const store = openStore(newPath())
    const devices = Array.from({ length: 10 }, (_, d) => d.toString(16).padStart(32, "0"))
    for (const deviceId of devices) store.insertEntries(fakeLog(deviceId, 10_000))
    expect(store.countEntries()).toBe(100_000)

    const vector = store.versionVector()
    vector[devices[6]] -= 1
    expect(store.entriesAfter(vector)).toEqual([fakeEntry(devices[6], 10_000)])
    expect(store.entriesAfter(store.versionVector())).toEqual([])
  })
})
