import Database from "better-sqlite3"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it, vi } from "vitest"
import { BackgroundCheckpoints } from "../../../src/store/background-checkpoints.js"
import { CheckpointThread } from "../../../src/store/checkpoint-thread.js"
import { SqliteStore } from "../../../src/store/sqlite-store.js"
import { decodeWalIndex, WalIndexFile } from "../../../src/store/wal-index.js"
import { DEVICE_A, fakeLog } from "./fixtures.js"

/** How long the tests that hold SQLite's lock wait with it held: a worker starts and reaches the lock well within it. */
const WORKER_HELD_MS = 400

const root = mkdtempSync(join(tmpdir(), "lanvault-checkpoint-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})
let files = 0

/** A vault file open as the daemon has it, and a reader of its wal-index. */
function openVault(): { store: SqliteStore; wal: WalIndexFile; path: string } {
  const path = join(root, `vault-${++files}.db`)
  const store = SqliteStore.open(path)
  cleanups.push(() => store.close())
  const wal = WalIndexFile.open(path)
  cleanups.push(() => wal.close())
  return { store, wal, path }
}

/**
 * A vault file (closed) and another connection that can hold it exclusively (locking_mode=EXCLUSIVE, a write
 * transaction): a connection opened meanwhile waits inside SQLite for it, up to its busy timeout.
 */
function heldDatabase(): { path: string; hold: () => void; release: () => void } {
  const path = join(root, `vault-${++files}.db`)
  const store = SqliteStore.open(path)
  store.insertEntries(fakeLog(DEVICE_A, 3))
  store.close()
  const holder = new Database(path)
  cleanups.push(() => holder.open && holder.close())
  return {
    path,
    hold: () => {
      holder.pragma("locking_mode = EXCLUSIVE")
      holder.exec("BEGIN EXCLUSIVE")
      holder.prepare("SELECT count(*) FROM meta").get()
    },
    release: () => holder.close(),
  }
}

/** Most commits {@link writeFrames} makes: a WAL that SQLite checkpoints and restarts may never reach `frames`. */
const MAX_COMMITS = 5_000

/** Commits of one entry each (each a few WAL frames) until the WAL holds `frames`; returns how many entries. */
function writeFrames(store: SqliteStore, wal: WalIndexFile, frames: number, from = 1): number {
  let seq = from
  for (; wal.read()!.frames < frames && seq - from < MAX_COMMITS; seq++) store.insertEntries(fakeLog(DEVICE_A, 1, seq))
  return seq - from
}

function pending(wal: WalIndexFile): number {
  return wal.read()?.pending ?? -1
}

/** A vault with background checkpoints on, its WAL filled, after the worker ran a pass (so its connection is open). */
async function afterWorkerPass(): Promise<{ store: SqliteStore; wal: WalIndexFile; path: string; seq: number }> {
  const { store, wal, path } = openVault()
  store.checkpointInBackground(true)
  const seq = fillWal(store, wal, 0)
  await vi.waitFor(() => expect(pending(wal)).toBe(0), { timeout: 10_000 })
  return { store, wal, path, seq }
}

/** Closes the store: its close must be SQLite's last (the WAL removed); reopened, it holds every entry up to `seq`. */
function closeAndReopen(store: SqliteStore, wal: WalIndexFile, path: string, seq: number): void {
  wal.close()
  store.close()
  expect(existsSync(`${path}-wal`)).toBe(false)
  const again = SqliteStore.open(path)
  cleanups.push(() => again.close())
  expect(again.countEntries()).toBe(seq)
}

/** Writes entries after `seq` until the WAL holds 1,000 frames (SQLite's own checkpoint would run in the last commit); returns the last seq. */
function fillWal(store: SqliteStore, wal: WalIndexFile, seq: number): number {
  while (wal.read()!.frames < 1_000) store.insertEntries(fakeLog(DEVICE_A, 1, ++seq))
  return seq
}

describe("wal-index", () => {
  it("reads frames written and frames copied from a live database's -shm, and a restart after a full copy", () => {
    const { store, wal, path } = openVault()
    const written = writeFrames(store, wal, 40)
    expect(written).toBeGreaterThan(0)
    expect(wal.read()).toEqual({ frames: expect.any(Number), pending: wal.read()!.frames })
    const other = new Database(path)
    cleanups.push(() => other.close())
    const [row] = other.pragma("wal_checkpoint(PASSIVE)") as Array<{ log: number; checkpointed: number }>
    expect(wal.read()).toEqual({ frames: row.log, pending: 0 })
    store.setMeta("after", "restart")
    expect(wal.read()!.frames).toBeLessThan(row.log)
  })

  it("refuses an index that is not initialised, of another version, or caught between its two header copies", () => {
    const good = new Uint8Array(100)
    const view = new DataView(good.buffer)
    for (const base of [0, 48]) {
      view.setUint32(base, 3_007_000, true)
      good[base + 12] = 1
      view.setUint32(base + 16, 30, true)
    }
    view.setUint32(96, 12, true)
    expect(decodeWalIndex(good, true)).toEqual({ frames: 30, pending: 18 })
    const torn = good.slice()
    new DataView(torn.buffer).setUint32(16, 31, true)
    expect(decodeWalIndex(torn, true)).toBeUndefined()
    const uninitialised = good.slice()
    uninitialised[12] = 0
    uninitialised[60] = 0
    expect(decodeWalIndex(uninitialised, true)).toBeUndefined()
    expect(decodeWalIndex(good, false)).toBeUndefined() // read in the wrong byte order: not version 3007000
    expect(decodeWalIndex(good.subarray(0, 99), true)).toBeUndefined()
  })
})

describe("CheckpointThread", () => {
  it("copies the WAL into the database from its own thread, then ends once idle", async () => {
    const { store, wal, path } = openVault()
    writeFrames(store, wal, 30)
    const thread = new CheckpointThread(path, { idleExitMs: 50 })
    cleanups.push(() => thread.close())
    const pass = await thread.run()
    expect(pass).toEqual({ busy: false, frames: wal.read()!.frames, copied: wal.read()!.frames })
    expect(pending(wal)).toBe(0)
    expect(thread.alive).toBe(true)
    await vi.waitFor(() => expect(thread.alive).toBe(false), { timeout: 5_000 })
  })

  it("rejects a pass it cannot run (no such database), and one waiting when stopped", async () => {
    const missing = new CheckpointThread(join(root, "missing.db"))
    cleanups.push(() => missing.close())
    await expect(missing.run()).rejects.toThrow()
    const { path } = openVault()
    const thread = new CheckpointThread(path)
    cleanups.push(() => thread.close())
    const running = thread.run()
    void thread.stop()
    await expect(running).rejects.toThrow(/stopped/)
    expect(thread.alive).toBe(false)
  })

  it("stop() returns at once while the worker is held inside SQLite, the event loop turning meanwhile; the worker exits once SQLite lets it go", async () => {
    const { path, hold, release } = heldDatabase()
    const thread = new CheckpointThread(path)
    cleanups.push(() => thread.close())
    hold()
    const running = thread.run() // the worker's connection waits for the lock (its busy timeout: 5 s)
    const stopping = thread.stop()
    expect(stopping).toBeInstanceOf(Promise)
    let exited = false
    void stopping.then(() => (exited = true))
    await expect(running).rejects.toThrow(/stopped/)
    // Long enough for the worker to start and reach SQLite's lock (tens of ms), the event loop turning all along.
    let ticks = 0
    const ticker = setInterval(() => (ticks += 1), 10)
    await new Promise((resolve) => setTimeout(resolve, WORKER_HELD_MS))
    clearInterval(ticker)
    expect(ticks).toBeGreaterThan(5)
    expect(exited).toBe(false)
    expect(thread.workers).toBe(1)
    release()
    await stopping
    expect(thread.workers).toBe(0)
  })

  it("a pass asked for while a stopped worker still holds its connection waits for that worker's exit (one connection at a time), then runs", async () => {
    const { path, hold, release } = heldDatabase()
    const thread = new CheckpointThread(path)
    cleanups.push(() => thread.close())
    hold()
    void thread.run().catch(() => undefined)
    void thread.stop()
    const next = thread.run()
    await new Promise((resolve) => setTimeout(resolve, WORKER_HELD_MS))
    expect(thread.workers).toBe(1) // the stopped one only
    release()
    expect(await next).toEqual({ busy: false, frames: expect.any(Number), copied: expect.any(Number) })
    expect(thread.workers).toBe(1)
    expect(thread.alive).toBe(true)
  })
})

describe("BackgroundCheckpoints.start", () => {
  it("a connection that cannot take the setting (closed) leaves SQLite its checkpoints and says why, without throwing", () => {
    const { path } = openVault()
    const db = new Database(path)
    const background = new BackgroundCheckpoints(db, path)
    db.close()
    const failures: unknown[] = []
    expect(() => background.start((error) => failures.push(error))).not.toThrow()
    expect(failures).toHaveLength(1)
    background.afterWrite() // nothing started: no schedule to run
  })
})

describe("SqliteStore.checkpointInBackground", () => {
  it("no commit copies the WAL while it is on (SQLite's does, in the commit that takes it past 1,000 frames); a worker copies it just after", async () => {
    const { store, wal } = openVault()
    store.checkpointInBackground(true)
    const seq = fillWal(store, wal, 0)
    // Read as that commit returns: the worker was only just asked (SQLite's own checkpoint would have copied every frame by now).
    const afterCommit = wal.read()!
    expect(afterCommit.pending).toBe(afterCommit.frames)
    await vi.waitFor(() => expect(pending(wal)).toBe(0), { timeout: 10_000 })
    store.setMeta("next", "write")
    expect(wal.read()!.frames).toBeLessThan(afterCommit.frames) // restarted from its start: the WAL stays bounded
    expect(store.countEntries()).toBe(seq)
  })

  it("closes the worker's connection before the store's: that close is SQLite's last, which checkpoints and removes the WAL (what frees a full disk)", async () => {
    const { store, wal, path, seq } = await afterWorkerPass()
    expect(existsSync(`${path}-wal`)).toBe(true)
    closeAndReopen(store, wal, path, seq)
  })

  it("a lock and an unlock before the close: the close still waits for the first session's worker, and removes the WAL", async () => {
    const { store, wal, path, seq } = await afterWorkerPass()
    store.checkpointInBackground(false) // a lock: returns without waiting for that worker
    store.checkpointInBackground(true) // an unlock right after
    closeAndReopen(store, wal, path, fillWal(store, wal, seq))
  })

  it("gives checkpoints back to SQLite when turned off: its automatic checkpoint runs in the commit past 1,000 frames again", () => {
    const { store, wal } = openVault()
    store.checkpointInBackground(true)
    store.checkpointInBackground(false)
    writeFrames(store, wal, 1_000)
    expect(pending(wal)).toBe(0)
  })

  it("every entry written while checkpoints ran in the background is there after a reopen", async () => {
    const { store, wal, path } = openVault()
    store.checkpointInBackground(true)
    let written = 0
    for (let round = 0; round < 3; round++) {
      written += writeFrames(store, wal, 1_100, written + 1)
      await new Promise((resolve) => setTimeout(resolve, 20)) // a pass may run meanwhile, or not yet
    }
    store.close()
    const again = SqliteStore.open(path)
    cleanups.push(() => again.close())
    expect(again.countEntries()).toBe(written)
    expect(again.head(DEVICE_A)).toBe(written)
  })
})
