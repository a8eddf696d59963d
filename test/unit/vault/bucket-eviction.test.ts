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
})
