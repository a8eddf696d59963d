import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { writeFreshAccount } from "../../../src/account/account.js"
import { readAccountContext } from "../../../src/account/account-context.js"
import type { EventParams } from "../../../src/api/protocol.js"
import { bucketOf } from "../../../src/merge/bucket.js"
import { VaultService } from "../../../src/vault/vault-service.js"
import { LanvaultError } from "../../../src/errors.js"
import { silentLogger } from "../../../src/log.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { codeOfAsync as codeOf } from "../../helpers/error-code.js"
import { freshUnitVault, UNIT_PASSWORD } from "../../helpers/unit-vault.js"

const PASSWORD = UNIT_PASSWORD

describe("VaultService over the in-memory store", () => {
  let home: string
  let store: MemoryStore
  let events: EventParams[]
  let vault: VaultService

  beforeEach(async () => {
    ;({ home, store, events, vault } = await freshUnitVault("lv-vault-", { autoLockMinutes: 1 }))
  })

  afterEach(() => {
    vi.useRealTimers()
    // Locked now, not by its idle timer in a later test: a lock lets go of Automerge's (process-wide) instance.
    vault.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it("an unlock is pending from its key derivation until the vault is open (sync lets it go first), also a wrong one", async () => {
    expect(vault.unlocks.pending).toBeUndefined()
    const unlocking = vault.unlock(PASSWORD)
    const pending = vault.unlocks.pending
    expect(pending).toBeDefined()
    await pending
    expect(vault.locked).toBe(false)
    expect(await unlocking).toBe(0)
    expect(vault.unlocks.pending).toBeUndefined()
    vault.lock("request")
    const wrong = vault.unlock("not the password")
    expect(vault.unlocks.pending).toBeDefined()
    expect(await codeOf(() => wrong)).toBe("WRONG_PASSWORD")
    await vault.unlocks.pending
    expect(vault.unlocks.pending).toBeUndefined()
  })

  it("refuses record calls while locked with LOCKED", async () => {
    expect(await codeOf(() => vault.list({}))).toBe("LOCKED")
    expect(await codeOf(() => vault.create({ type: "note", title: "x" }))).toBe("LOCKED")
  })

  it("reads back the same records from the snapshot written at lock and from the log alone", async () => {
    await vault.unlock(PASSWORD)
    const ids = [await vault.create({ type: "note", title: "one" }), await vault.create({ type: "login", title: "two" })]
    await vault.update(ids[1], { set: { fields: { username: { value: "ann", kind: "text" } } } })
    vault.lock("request")
    await vault.settled()
    // One row per bucket the vault has: the buckets its ids name (two records: one or two buckets, not 64).
    expect(store.snapshots().map((row) => row.bucket)).toEqual([...new Set(ids.map((id) => bucketOf(id, 64)))].sort((a, b) => a - b))
    await vault.unlock(PASSWORD)
    const fromSnapshot = ids.map((id) => vault.get(id))
    vault.lock("request")
    await vault.settled() // its snapshot, written in slices, is gone before the unlock
    store.clearSnapshots()
    await vault.unlock(PASSWORD)
    expect(ids.map((id) => vault.get(id))).toEqual(fromSnapshot)
    expect(fromSnapshot[1].fields.username.value).toBe("ann")
  })

  it("locks itself after the idle time and says so", async () => {
    await vault.unlock(PASSWORD)
    vi.useFakeTimers()
    vault.touch()
    vi.advanceTimersByTime(59_000)
    expect(vault.locked).toBe(false)
    vi.advanceTimersByTime(2_000)
    expect(vault.locked).toBe(true)
    expect(events).toContainEqual({ type: "locked", reason: "idle" })
  })

  it("acknowledges nothing the disk refused, and keeps every earlier record", async () => {
    await vault.unlock(PASSWORD)
    const kept = await vault.create({ type: "note", title: "kept" })
    const append = store.appendOwn.bind(store)
    store.appendOwn = () => {
      throw new LanvaultError("STORAGE_FULL", "disk full")
    }
    expect(await codeOf(() => vault.create({ type: "note", title: "refused" }))).toBe("STORAGE_FULL")
    expect(vault.list({}).map((r) => r.title)).toEqual(["kept"])
    store.appendOwn = append
    await vault.create({ type: "note", title: "after" })
    vault.lock("request")
    await vault.unlock(PASSWORD)
    expect(vault.list({}).map((r) => r.title)).toEqual(["after", "kept"])
    expect(vault.get(kept).title).toBe("kept")
  })

  it("changes the password without touching a record", async () => {
    await vault.unlock(PASSWORD)
    await vault.create({ type: "note", title: "stays" })
    const entries = store.countEntries()
    await vault.changePassword(PASSWORD, "another long password")
    expect(store.countEntries()).toBe(entries)
    vault.lock("request")
    expect(await codeOf(() => vault.unlock(PASSWORD))).toBe("WRONG_PASSWORD")
    await vault.unlock("another long password")
    expect(vault.list({}).map((r) => r.title)).toEqual(["stays"])
  })
})

describe("VaultService group commit", () => {
  let home: string
  let store: MemoryStore
  let events: EventParams[]
  let vault: VaultService
  let deviceId: string

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "lv-vault-"))
    store = new MemoryStore()
    await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password: PASSWORD })
    events = []
    vault = new VaultService({ store, account: readAccountContext(store), home, logger: silentLogger(), publish: (e) => events.push(e) }, { autoLockMinutes: 0 })
    deviceId = vault.identity().deviceId
    await vault.unlock(PASSWORD)
  })

  afterEach(() => {
    vault.stop()
    rmSync(home, { recursive: true, force: true })
  })

  /** Counts store transactions, and how many of `pending` had been answered when each began. */
  function watchTransactions(pending: { answered: number }): number[] {
    const answeredAtCommit: number[] = []
    const transaction = store.transaction.bind(store)
    store.transaction = <T>(fn: () => T): T => {
      answeredAtCommit.push(pending.answered)
      return transaction(fn)
    }
    return answeredAtCommit
  }

  it("writes concurrent creates in one transaction and answers each only after it", async () => {
    const pending = { answered: 0 }
    const answeredAtCommit = watchTransactions(pending)
    const titles = ["a", "b", "c", "d", "e"]
    const ids = await Promise.all(titles.map(async (title) => {
      const id = await vault.create({ type: "note", title })
      pending.answered += 1
      return id
    }))
    expect(answeredAtCommit).toEqual([0])
    expect(store.entriesOf(deviceId, 0).length).toBe(titles.length)
    expect(vault.list({}).map((r) => r.title)).toEqual(titles)
    expect(events.filter((e) => e.type === "record.changed").map((e) => (e as { id: string }).id)).toEqual(ids)
    vault.lock("request")
    await vault.settled() // its snapshot, written in slices, is gone before the unlock
    store.clearSnapshots()
    await vault.unlock(PASSWORD)
    expect(ids.map((id) => vault.get(id).title)).toEqual(titles)
  })

  it("batches creates, edits and deletes together, each answered with its own result", async () => {
    const first = await vault.create({ type: "note", title: "first" })
    const second = await vault.create({ type: "note", title: "second" })
    const before = store.countEntries()
    const [created, updated, removed] = await Promise.all([
      vault.create({ type: "login", title: "third" }),
      vault.update(first, { set: { title: "first, renamed" } }),
      vault.remove(second, false),
    ])
    expect(updated.title).toBe("first, renamed")
    expect(removed).toBeUndefined()
    expect(store.countEntries()).toBe(before + 3)
    expect(vault.list({}).map((r) => r.id)).toEqual([first, created])
    expect(vault.list({ trash: true }).map((r) => r.id)).toEqual([second])
  })

  it("refuses only the edit the vault refuses, and commits the rest of its batch", async () => {
    const results = await Promise.allSettled([
      vault.create({ type: "note", title: "one" }),
      vault.update("no-such-record", { set: { title: "x" } }),
      vault.create({ type: "note", title: "" } as never),
      vault.create({ type: "note", title: "two" }),
    ])
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"])
    expect(await codeOf(() => vault.update("no-such-record", {}))).toBe("NOT_FOUND")
    expect(store.entriesOf(deviceId, 0).length).toBe(2)
    expect(vault.list({}).map((r) => r.title)).toEqual(["one", "two"])
  })

  it("refuses every edit of a batch the disk refuses, and keeps none of them in memory or on disk", async () => {
    const kept = await vault.create({ type: "note", title: "kept" })
    const entriesBefore = store.countEntries()
    const append = store.appendOwn.bind(store)
    let appends = 0
    // The second append of the transaction fails: the first must not stay either.
    store.appendOwn = (entry) => {
      appends += 1
      if (appends === 2) throw new LanvaultError("STORAGE_FULL", "disk full")
      append(entry)
    }
    const codes = await Promise.all([
      codeOf(() => vault.create({ type: "note", title: "refused 1" })),
      codeOf(() => vault.update(kept, { set: { title: "renamed" } })),
      codeOf(() => vault.create({ type: "note", title: "refused 2" })),
    ])
    expect(codes).toEqual(["STORAGE_FULL", "STORAGE_FULL", "STORAGE_FULL"])
    expect(store.countEntries()).toBe(entriesBefore)
    expect(vault.list({}).map((r) => r.title)).toEqual(["kept"])
    expect(vault.get(kept).title).toBe("kept")
    store.appendOwn = append
    await vault.update(kept, { set: { title: "renamed later" } })
    vault.lock("request")
    await vault.settled() // its snapshot, written in slices, is gone before the unlock
    store.clearSnapshots()
    await vault.unlock(PASSWORD)
    expect(vault.list({}).map((r) => r.title)).toEqual(["renamed later"])
  })

  it("commits the edits queued before a lock, and refuses edits made while locked with LOCKED", async () => {
    const queued = vault.create({ type: "note", title: "before the lock" })
    vault.lock("request")
    const id = await queued
    expect(await codeOf(() => vault.create({ type: "note", title: "while locked" }))).toBe("LOCKED")
    await vault.unlock(PASSWORD)
    expect(vault.get(id).title).toBe("before the lock")
    expect(vault.list({}).length).toBe(1)
  })
})

describe("VaultService snapshots", () => {
  let home: string
  let store: MemoryStore
  let vault: VaultService

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "lv-vault-"))
    store = new MemoryStore()
    await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password: PASSWORD })
    vault = new VaultService({ store, account: readAccountContext(store), home, logger: silentLogger(), publish: () => {} }, { autoLockMinutes: 0, now: () => Date.now() })
    await vault.unlock(PASSWORD)
  })

  afterEach(() => {
    vault.stop()
    vi.useRealTimers()
    rmSync(home, { recursive: true, force: true })
  })

  it("writes a due snapshot only once the vault has been idle, not in the middle of a burst of edits", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
    for (let i = 0; i < 1_000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => vault.create({ type: "note", title: `n${i + j}` })))
    }
    expect(store.countEntries()).toBe(1_000)
    expect(store.snapshots()).toEqual([])
    vi.advanceTimersByTime(300)
    vault.touch()
    vi.advanceTimersByTime(300)
    expect(store.snapshots()).toEqual([])
    vi.advanceTimersByTime(300)
    // Written in slices: done a few turns of the event loop later.
    for (let turns = 0; turns < 1_000 && store.snapshots().length === 0; turns++) await new Promise(setImmediate)
    // 1,000 records spread over the 64 buckets open in a new vault: one row each.
    expect(store.snapshots().map((row) => row.bucket)).toEqual(Array.from({ length: 64 }, (_, bucket) => bucket))
    vi.useRealTimers()
    vault.lock("request")
    await vault.unlock(PASSWORD)
    expect(vault.recordCount).toBe(1_000)
  })
})

describe("VaultService: unlock always checks the password (issue 11 item 3, issue 17 item 9)", () => {
  let home: string
  let store: MemoryStore
  let vault: VaultService

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "lv-verify-"))
    store = new MemoryStore()
    await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password: PASSWORD, hint: "the usual one" })
    vault = new VaultService({ store, account: readAccountContext(store), home, logger: silentLogger(), publish: () => undefined }, { autoLockMinutes: 0 })
  })

  afterEach(() => rmSync(home, { recursive: true, force: true }))

  it("a wrong password is refused while unlocked and while a right unlock is running; the vault stays unlocked", async () => {
    const [right, wrong] = await Promise.allSettled([vault.unlock(PASSWORD), vault.unlock("not the password")])
    expect(right.status).toBe("fulfilled")
    expect(wrong.status === "rejected" && (wrong.reason as LanvaultError).code).toBe("WRONG_PASSWORD")
    expect(await codeOf(() => vault.unlock("still not the password"))).toBe("WRONG_PASSWORD")
    expect(vault.locked).toBe(false)
    expect(await vault.unlock(PASSWORD)).toBe(0)
  }, 90_000)

  it("concurrent wrong password changes each count: the third carries the hint", async () => {
    const attempts = await Promise.allSettled([1, 2, 3].map((n) => vault.changePassword(`wrong guess ${n}`, "a different pass phrase")))
    const errors = attempts.map((a) => (a.status === "rejected" ? (a.reason as LanvaultError) : undefined))
    expect(errors.map((e) => e?.code)).toEqual(["WRONG_PASSWORD", "WRONG_PASSWORD", "WRONG_PASSWORD"])
    expect(errors.map((e) => e?.data?.hint)).toEqual([undefined, undefined, "the usual one"])
    expect(JSON.parse(store.getMeta("unlock.throttle")!).failures).toBe(3)
  }, 90_000)
})

describe("VaultService: an unlock in slices", () => {
  it("a lock while the unlock is still replaying wins: the unlock fails with LOCKED and the vault stays locked", async () => {
    const home = mkdtempSync(join(tmpdir(), "lv-vault-"))
    try {
      const store = new MemoryStore()
      await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password: PASSWORD })
      const vault = new VaultService({ store, account: readAccountContext(store), home, logger: silentLogger(), publish: () => {} }, {})
      await vault.unlock(PASSWORD)
      await vault.createMany(Array.from({ length: 3_000 }, (_, i) => ({ type: "note", title: `n${i}` })))
      vault.lock("request")
      await vault.settled()
      store.clearSnapshots()
      // The lock comes at the first turn the replay leaves free, right after it read its first page.
      const entriesAfter = store.entriesAfter.bind(store)
      let armed = true
      store.entriesAfter = (...args) => {
        if (armed && new Error().stack!.includes("openInSlices")) {
          armed = false
          setImmediate(() => vault.lock("request"))
        }
        return entriesAfter(...args)
      }
      const unlocking = vault.unlock(PASSWORD)
      expect(await codeOf(() => unlocking)).toBe("LOCKED")
      expect(armed).toBe(false)
      expect(vault.locked).toBe(true)
      expect(vault.keys.heldPasswordKey()).toBeUndefined()
      expect(await vault.unlock(PASSWORD)).toBe(3_000)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})

describe("VaultService: the lock's snapshot, written in slices (issue 18: never deaf)", () => {
  let home: string
  let store: MemoryStore
  let vault: VaultService

  beforeEach(async () => {
    ;({ home, store, vault } = await freshUnitVault("lv-closing-", { autoLockMinutes: 0 }))
    await vault.unlock(PASSWORD)
    // Records in every one of the 64 buckets a new vault opens: more than one slice of buckets to save.
    await vault.createMany(Array.from({ length: 2_000 }, (_, i) => ({ type: "note", title: `n${i}` })))
    expect(store.snapshots()).toEqual([])
  })

  afterEach(() => {
    vault.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it("locks at once, writes the snapshot over several turns of the event loop, and the next unlock waits for it and reads it", async () => {
    vault.lock("request")
    expect(vault.locked).toBe(true)
    expect(store.snapshots()).toEqual([]) // not written in the lock's own turn
    let turns = 0
    let settled = false
    const settling = vault.settled().then(() => (settled = true))
    while (!settled) {
      await new Promise(setImmediate)
      turns += 1
    }
    await settling
    expect(turns).toBeGreaterThanOrEqual(3)
    expect(store.snapshots().map((row) => row.bucket)).toEqual(Array.from({ length: 64 }, (_, bucket) => bucket))
    // An unlock right after a lock waits for its snapshot, then replays nothing.
    await vault.unlock(PASSWORD)
    vault.lock("request")
    const replayed: number[] = []
    const entriesAfter = store.entriesAfter.bind(store)
    store.entriesAfter = (...args) => {
      const page = entriesAfter(...args)
      replayed.push(page.length)
      return page
    }
    expect(await vault.unlock(PASSWORD)).toBe(2_000)
    expect(replayed.every((n) => n === 0)).toBe(true)
  })

  it("a shutdown while the lock's snapshot is written writes the rest at once; a reset's lock writes none", async () => {
    vault.lock("request")
    vault.stop()
    expect(store.snapshots()).toHaveLength(64)
    store.clearSnapshots()
    await vault.unlock(PASSWORD)
    vault.lock("request")
    vault.lock("reset")
    for (let turn = 0; turn < 200; turn++) await new Promise(setImmediate)
    expect(store.snapshots()).toEqual([])
  })
})
