import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import type { Logger } from "../../../src/log.js"
import { silentLogger } from "../../../src/log.js"
import { SnapshotPolicy, snapshotThresholds, type Snapshottable } from "../../../src/vault/snapshot-policy.js"

/** An open vault whose snapshot resolves (or fails) when the test says so. */
class FakeVault implements Snapshottable {
  entriesPending = 0
  bucketsHeld = 64
  writes = 0
  private finish: Array<(error?: Error) => void> = []

  snapshotInSlices(): Promise<void> {
    this.writes += 1
    return new Promise((resolve, reject) => this.finish.push((error) => (error ? reject(error) : resolve())))
  }

  settle(error?: Error): void {
    this.entriesPending = 0
    this.finish.shift()?.(error)
  }
}

describe("SnapshotPolicy", () => {
  let vault: FakeVault
  let written: number
  let warnings: string[]
  let policy: SnapshotPolicy

  beforeEach(() => {
    vi.useFakeTimers()
    vault = new FakeVault()
    written = 0
    warnings = []
    const logger: Logger = {
      debug: () => undefined, info: () => undefined, error: () => undefined,
      warn: (message) => warnings.push(message),
      child: () => logger,
    }
    policy = new SnapshotPolicy({ open: () => vault, logger, now: () => Date.now(), written: () => (written += 1) })
  })
  afterEach(() => vi.useRealTimers())

  it("waits for an idle moment once 1,000 entries are pending, and says when the snapshot is written", async () => {
    vault.entriesPending = 999
    policy.check()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(vault.writes).toBe(0)

    vault.entriesPending = 1_000
    policy.check()
    await vi.advanceTimersByTimeAsync(400)
    policy.noteActivity()
    await vi.advanceTimersByTimeAsync(100)
    expect(vault.writes).toBe(0) // a request 100 ms ago: not idle yet
    await vi.advanceTimersByTimeAsync(399)
    expect(vault.writes).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(vault.writes).toBe(1)
    expect(written).toBe(0) // not before the snapshot is on disk
    vault.settle()
    await vi.advanceTimersByTimeAsync(0)
    expect(written).toBe(1)
  })

  it("writes at once past 5,000 pending entries", async () => {
    vault.entriesPending = 5_000
    policy.check()
    expect(vault.writes).toBe(1)
    vault.settle()
    await vi.advanceTimersByTimeAsync(0)
    expect(written).toBe(1)
  })

  it("logs a failed snapshot and does not report it written", async () => {
    vault.entriesPending = 5_000
    policy.check()
    vault.settle(new Error("disk full"))
    await vi.advanceTimersByTimeAsync(0)
    expect(written).toBe(0)
    expect(warnings.join("\n")).toContain("could not write a snapshot")
  })

  it("after an unlock whose replay took a second or more, writes a snapshot whatever the thresholds; else only when due", async () => {
    vault.entriesPending = 800 // 100k imported records: one heavy entry a bucket
    policy.afterUnlock(800, 999)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(vault.writes).toBe(0)
    policy.afterUnlock(0, 5_000) // slow, but nothing replayed (a slow disk, the KDF): nothing to save
    await vi.advanceTimersByTimeAsync(2_000)
    expect(vault.writes).toBe(0)
    policy.afterUnlock(800, 1_000)
    await vi.advanceTimersByTimeAsync(500)
    expect(vault.writes).toBe(1)
  })

  it("makes a snapshot due after bulk work whatever the thresholds, at the next idle moment", async () => {
    vault.entriesPending = 40 // an import: one entry a bucket
    policy.check()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(vault.writes).toBe(0)
    policy.afterBulk()
    await vi.advanceTimersByTimeAsync(499)
    expect(vault.writes).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(vault.writes).toBe(1)
    vault.settle()
    await vi.advanceTimersByTimeAsync(0)
    expect(written).toBe(1)
  })
})

/** An open vault that only counts the snapshots asked of it. */
function countingVault(entriesPending: number, bucketsHeld: number): Snapshottable & { written: number } {
  return {
    entriesPending, bucketsHeld, written: 0,
    snapshotInSlices() {
      this.written += 1
      return Promise.resolve()
    },
  }
}

describe("SnapshotPolicy: a snapshot's share of an edit's cost does not grow with the vault", () => {
  afterEach(() => vi.useRealTimers())

  it("takes one every 1,000 entries (5,000 at once) up to ~125 buckets, then 8 (32 at once) per bucket", () => {
    expect(snapshotThresholds(64)).toEqual({ due: 1_000, atOnce: 5_000 })
    expect(snapshotThresholds(125)).toEqual({ due: 1_000, atOnce: 5_000 })
    expect(snapshotThresholds(817)).toEqual({ due: 6_536, atOnce: 26_144 })
  })

  it("in a 100k-record vault (817 buckets), 1,000 entries are not yet due; 6,536 are, at the next idle moment; 26,144 at once", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
    let open = countingVault(1_000, 817)
    const policy = new SnapshotPolicy({ open: () => open, logger: silentLogger(), now: () => Date.now() })
    policy.check()
    vi.advanceTimersByTime(10_000)
    expect(open.written).toBe(0)
    open = countingVault(6_536, 817)
    policy.check()
    expect(open.written).toBe(0)
    vi.advanceTimersByTime(500)
    expect(open.written).toBe(1)
    open = countingVault(26_144, 817)
    policy.check()
    expect(open.written).toBe(1)
  })

  it("counts the buckets again only once enough entries are pending for the last threshold, and afresh after a lock", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
    let counted = 0
    const big = { entriesPending: 1_000, snapshotInSlices: () => Promise.resolve(), get bucketsHeld() {
      counted += 1
      return 817
    } }
    let current: Snapshottable = big
    const policy = new SnapshotPolicy({ open: () => current, logger: silentLogger(), now: () => Date.now() })
    for (let i = 0; i < 100; i++) policy.check()
    expect(counted).toBe(1)
    big.entriesPending = 6_536
    policy.check()
    expect(counted).toBe(2)
    policy.cancel() // the lock
    const small = countingVault(1_000, 64)
    current = small
    policy.check()
    vi.advanceTimersByTime(500)
    expect(small.written).toBe(1)
  })
})
