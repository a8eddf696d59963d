import { describe, expect, it } from "vitest"
import { bucketOf, VaultDoc } from "../../../src/merge/index.js"
import { actorOf, START_MS } from "./helpers.js"

const BUCKETS = 8

/** A doc on a test clock that counts the buckets it loads from their snapshot. */
function newDoc(clock: { ms: number }, loads: { n: number }): VaultDoc {
  let next = 0
  return new VaultDoc({}, {
    actorId: actorOf(0), bucketCount: BUCKETS, now: () => clock.ms, newId: () => `r-${++next}`, clock: () => clock.ms,
    onBucketLoad: () => (loads.n += 1),
  })
}

describe("VaultDoc.evictIdle with a limit on the loaded buckets", () => {
  it("sends the least recently used buckets beyond the limit back to their snapshot, edits included, and keeps the recent ones loaded", () => {
    const clock = { ms: START_MS }
    const loads = { n: 0 }
    const doc = newDoc(clock, loads)
    const { ids } = doc.createMany(Array.from({ length: 40 }, (_, n) => ({ type: "note", title: `note ${n}`, notes: `text ${n}` })))
    const firstOf = new Map<number, string>()
    for (const id of ids) if (!firstOf.has(bucketOf(id, BUCKETS))) firstOf.set(bucketOf(id, BUCKETS), id)
    expect(firstOf.size).toBe(BUCKETS)
    expect(doc.evictIdle(0, BUCKETS)).toBe(BUCKETS)
    expect(doc.loadedBuckets).toBe(0)
    loads.n = 0
    const before = doc.list({})
    // Used one after another: the first bucket used is the least recently used; it is edited too.
    const order = [...firstOf.values()]
    for (const id of order) {
      clock.ms += 1_000
      doc.get(id)
    }
    doc.update(order[0], { set: { title: "edited, then evicted" } })
    clock.ms += 1_000
    doc.get(order[1])
    expect(loads.n).toBe(BUCKETS)
    expect(doc.loadedBuckets).toBe(BUCKETS)
    // Nothing idle for 30 s: only the limit sends buckets back, the oldest use first.
    expect(doc.evictIdle(30_000, BUCKETS, 3)).toBe(BUCKETS - 3)
    expect(doc.loadedBuckets).toBe(3)
    expect(doc.evictIdle(30_000, BUCKETS, 3)).toBe(0)
    // The three used last are still loaded (no load to read them): order[0] (edited), order[1] and order[7].
    for (const id of [order[0], order[1], order[BUCKETS - 1]]) doc.get(id)
    expect(loads.n).toBe(BUCKETS)
    doc.get(order[2])
    expect(loads.n).toBe(BUCKETS + 1)
    expect(doc.list({}).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort())
    expect(doc.get(order[0])?.title).toBe("edited, then evicted")
    // The edited bucket goes back too once it is the oldest: its edit is in the snapshot it went to.
    clock.ms += 1_000
    for (const id of order.slice(2)) doc.get(id)
    expect(doc.evictIdle(30_000, BUCKETS, BUCKETS - 2)).toBe(2)
    const loadsBefore = loads.n
    expect(doc.get(order[0])?.title).toBe("edited, then evicted")
    expect(loads.n).toBe(loadsBefore + 1)
  })
})
