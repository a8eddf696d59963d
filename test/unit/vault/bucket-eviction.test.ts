import { afterEach, describe, expect, it, vi } from "vitest"
import { BucketEviction } from "../../../src/vault/bucket-eviction.js"

describe("BucketEviction: never blocks the event loop for more than one bucket", () => {
  let eviction: BucketEviction | undefined
  afterEach(() => {
    eviction?.stop()
    vi.useRealTimers()
  })

  it("evicts at most 8 buckets a tick, one per turn of the event loop, and stops between two when the vault locks", async () => {
    const marks: string[] = []
    let idle = 20
    const doc = {
      loadedBuckets: 0,
      evictIdle(_idleMs: number, max: number): number {
        expect(max).toBe(1)
        if (idle === 0) return 0
        idle -= 1
        marks.push("evict")
        setImmediate(() => marks.push("turn"))
        return 1
      },
    }
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] })
    eviction = new BucketEviction({ doc }, { intervalMs: 5_000, idleMs: 0 })
    vi.advanceTimersByTime(5_000)
    for (let turns = 0; turns < 20; turns++) await new Promise(setImmediate)
    // One tick: 8 buckets, each in its own turn.
    expect(marks.filter((m) => m === "evict")).toHaveLength(8)
    expect(marks.slice(0, 16)).toEqual(Array.from({ length: 8 }, () => ["evict", "turn"]).flat())
    // The next tick starts again; a lock between two of its buckets ends it.
    vi.advanceTimersByTime(5_000)
    await new Promise(setImmediate)
    eviction.stop()
    for (let turns = 0; turns < 20; turns++) await new Promise(setImmediate)
    expect(20 - idle).toBe(10)
    vi.advanceTimersByTime(5_000)
    for (let turns = 0; turns < 20; turns++) await new Promise(setImmediate)
    expect(20 - idle).toBe(10)
  })

  it("past the limit of loaded buckets, sends the least recently used back from the next turn, one per turn, down to the limit", async () => {
    const calls: { keepLoaded: number | undefined; turn: number }[] = []
    let turn = 0
    const doc = {
      loadedBuckets: 5,
      evictIdle(_idleMs: number, max: number, keepLoaded?: number): number {
        expect(max).toBe(1)
        calls.push({ keepLoaded, turn })
        if (this.loadedBuckets <= (keepLoaded ?? Infinity)) return 0
        this.loadedBuckets -= 1
        return 1
      },
    }
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await new Promise(setImmediate)
        turn += 1
      }
    }
    eviction = new BucketEviction({ doc }, { intervalMs: 60_000, maxLoaded: 5 })
    eviction.loaded() // at the limit: nothing to do
    await turns(5)
    expect(calls).toEqual([])
    doc.loadedBuckets = 9
    eviction.loaded()
    expect(calls).toEqual([]) // never in the turn that loaded the bucket
    eviction.loaded() // a second load meanwhile starts no second run
    await turns(10)
    expect(doc.loadedBuckets).toBe(5)
    expect(calls.map((c) => c.keepLoaded)).toEqual([5, 5, 5, 5])
    expect(new Set(calls.map((c) => c.turn)).size).toBe(4)
    // A lock between two evictions ends the run.
    calls.length = 0
    doc.loadedBuckets = 9
    eviction.loaded()
    await turns(2)
    eviction.stop()
    await turns(10)
    expect(doc.loadedBuckets).toBeGreaterThan(5)
  })
})
