import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { BucketAllocator } from "../../../src/merge/bucket-allocator.js"
import { BUCKET_FULL_RECORDS, bucketOf, newRecordId, newRecordIds, OPEN_BUCKETS } from "../../../src/merge/bucket.js"
import { VaultDoc, type BucketChange, type RecordInput } from "../../../src/merge/index.js"
import { actorOf, START_MS } from "./helpers.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Small bounds so a test vault crosses several of them quickly. */
const FULL = 8
const OPEN = 4

function login(index: number): RecordInput {
  return { type: "login", title: `site ${index}`, fields: { password: { value: `pw-${index}`, kind: "secret" } } }
}

/** A seeded generator in [0, 1): the same seed makes two devices choose the same new bucket numbers. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

function device(index: number, seed = index + 1): VaultDoc {
  let clock = START_MS
  return new VaultDoc({}, { actorId: actorOf(index), now: () => ++clock, allocator: { fullRecords: FULL, openBuckets: OPEN, random: seeded(seed) } })
}

function sizes(doc: VaultDoc): number[] {
  return doc.bucketNumbers().map((bucket) => doc.bucketSize(bucket))
}

/** Everything a device shows: records with every value, and each one's history. */
function state(doc: VaultDoc): unknown {
  return doc.list().map((summary) => ({ record: doc.get(summary.id), history: doc.history(summary.id) }))
}

describe("bucket layout: a record's id names its bucket", () => {
  it("an id made for a bucket is a UUID (version 8) naming that bucket, random elsewhere", () => {
    for (const bucket of [0, 63, 64, 4_097, 65_535]) {
      const id = newRecordId(bucket)
      expect(id).toMatch(UUID)
      expect(id[14]).toBe("8")
      expect("89ab").toContain(id[19])
      expect(bucketOf(id, 64)).toBe(bucket)
    }
    const ids = newRecordIds(Array.from({ length: 1_000 }, () => 7))
    expect(new Set(ids).size).toBe(1_000)
    expect(new Set(ids.map((id) => id.slice(0, 4))).size).toBeGreaterThan(900)
    expect(() => newRecordId(65_536)).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
  })

  it("an id that names no bucket (every id made before, a random UUID v4, any caller's id) is hashed as it always was", () => {
    const legacy = (id: string, count: number) => createHash("sha256").update(id).digest().readUInt32BE(0) % count
    for (const id of ["r-1", globalThis.crypto.randomUUID(), "6f1c2a8e-0000-4000-8000-00000000ffff", "x".repeat(36)]) {
      expect(bucketOf(id, 64)).toBe(legacy(id, 64))
      expect(bucketOf(id, 7)).toBe(legacy(id, 7))
    }
  })

  it("a small vault spreads over the open buckets; a growing one opens new buckets and none passes its bound", () => {
    const doc = device(0)
    doc.createMany(Array.from({ length: 12 }, (_, i) => login(i)))
    expect(doc.bucketNumbers()).toEqual([0, 1, 2, 3])
    for (let made = 12; made < 400;) {
      const count = Math.min(1 + (made % 7), 400 - made)
      doc.createMany(Array.from({ length: count }, (_, j) => login(made + j)))
      made += count
    }
    expect(doc.size).toBe(400)
    expect(Math.max(...sizes(doc))).toBeLessThanOrEqual(FULL)
    expect(doc.bucketNumbers().length).toBeLessThanOrEqual(400 / FULL + OPEN + 1)
    for (const summary of doc.list()) expect(doc.get(summary.id)?.title).toBe(summary.title)
  })

  it("with the default bounds, 100k records never put more than BUCKET_FULL_RECORDS in a bucket (the allocator, as a doc tells it sizes)", () => {
    const allocator = new BucketAllocator({}, { hashBuckets: 64 })
    const sizes = new Map<number, number>()
    for (let done = 0; done < 100_000; done += 1_000) {
      for (const bucket of allocator.pick(1_000)) sizes.set(bucket, (sizes.get(bucket) ?? 0) + 1)
      for (const [bucket, size] of sizes) allocator.note(bucket, size)
    }
    expect(Math.max(...sizes.values())).toBeLessThanOrEqual(BUCKET_FULL_RECORDS)
    expect(sizes.size).toBeGreaterThanOrEqual(100_000 / BUCKET_FULL_RECORDS)
    expect(sizes.size).toBeLessThanOrEqual(100_000 / BUCKET_FULL_RECORDS + OPEN_BUCKETS)
    expect([...sizes.keys()].filter((bucket) => bucket < 64).length).toBe(64)
  })

  it("a permanent delete gives its bucket room again", () => {
    const allocator = new BucketAllocator({}, { hashBuckets: 1, fullRecords: 2, openBuckets: 1, random: seeded(1) })
    allocator.note(0, 2)
    const opened = allocator.pick(1)[0]
    expect(opened).not.toBe(0)
    allocator.note(opened, 2)
    allocator.note(0, 1)
    expect(allocator.pick(1)).toEqual([0])
  })

  it("a reserved bucket (an import writing it elsewhere) is neither picked nor opened until released, then taken like any other", () => {
    const allocator = new BucketAllocator({}, { hashBuckets: 4, fullRecords: 8, openBuckets: 1, random: seeded(3) })
    allocator.reserve([0, 1])
    // 0 and 1 come first in the hashed range, but are not opened...
    expect(allocator.pick(6)).toEqual([2, 2, 2, 2, 2, 2])
    // ...nor picked once written with room.
    allocator.note(1, 5)
    expect(allocator.pick(6)).toEqual([2, 2, 2, 2, 2, 2])
    // Released: 1 has room for 3 more, then 0 (never written) is opened.
    allocator.release([0, 1])
    expect(allocator.pick(4)).toEqual([1, 1, 1, 0])
  })
})

describe("bucket layout across devices", () => {
  it("two devices that open the same new buckets concurrently merge to one state, every record kept", () => {
    const a = device(0, 42)
    const b = device(1, 42)
    const shared = a.createMany(Array.from({ length: 30 }, (_, i) => login(i))).changes
    b.applyChanges(shared)
    // Both fill the open buckets and, with the same seed, open the same new bucket numbers at once.
    const fromA = a.createMany(Array.from({ length: 60 }, (_, i) => login(100 + i))).changes
    const fromB = b.createMany(Array.from({ length: 60 }, (_, i) => login(200 + i))).changes
    const newOnBoth = new Set(fromA.map((c) => c.bucket)).size
    expect(fromB.some((c) => fromA.some((d) => d.bucket === c.bucket))).toBe(true)
    a.applyChanges(fromB)
    b.applyChanges(fromA)
    expect(a.size).toBe(150)
    expect(state(a)).toEqual(state(b))
    expect(a.bucketNumbers()).toEqual(b.bucketNumbers())
    // A bucket both filled at once holds at most the bound per device that filled it.
    expect(Math.max(...sizes(a))).toBeLessThanOrEqual(2 * FULL)
    expect(newOnBoth).toBeGreaterThan(1)
  })

  it("a record edited on one device while the other grows past the bound stays in its bucket, with its conflict and history", () => {
    const a = device(0)
    const b = device(1)
    const first = a.createMany(Array.from({ length: OPEN * FULL - 1 }, (_, i) => login(i)))
    b.applyChanges(first.changes)
    const id = first.ids[5]
    const home = bucketOf(id, 64)
    // b edits the record (twice, then a concurrent edit of the same field on a) while a fills every open bucket and opens new ones.
    const edits: BucketChange[] = [...b.update(id, { set: { title: "renamed on b" } }).changes]
    edits.push(...b.update(id, { set: { fields: { password: { value: "from b", kind: "secret" } } } }).changes)
    const growth = a.createMany(Array.from({ length: 5 * FULL }, (_, i) => login(1_000 + i))).changes
    growth.push(...a.update(id, { set: { fields: { password: { value: "from a", kind: "secret" } } } }).changes)
    expect(a.bucketNumbers().length).toBeGreaterThan(OPEN)
    a.applyChanges(edits)
    b.applyChanges(growth)
    expect(state(a)).toEqual(state(b))
    expect(bucketOf(id, 64)).toBe(home)
    const record = a.get(id)!
    expect(record.title).toBe("renamed on b")
    const password = record.fields.password.value
    const loser = password === "from a" ? "from b" : "from a"
    expect(["from a", "from b"]).toContain(password)
    expect(a.history(id).map((entry) => entry.value)).toEqual(expect.arrayContaining([loser, "pw-5"]))
  })

  it("a vault of the old layout (ids hashed over 64, large buckets) keeps its records where they are and grows into new buckets", () => {
    let clock = START_MS
    let next = 0
    const legacy = new VaultDoc({}, { actorId: actorOf(0), now: () => ++clock, newId: () => globalThis.crypto.randomUUID() })
    const old = legacy.createMany(Array.from({ length: 64 * 3 }, (_, i) => login(next++)))
    expect(legacy.bucketNumbers().length).toBeLessThanOrEqual(64)
    const upgraded = new VaultDoc({}, { actorId: actorOf(0), now: () => ++clock, allocator: { fullRecords: 3, openBuckets: OPEN, random: seeded(9) } })
    for (const bucket of legacy.bucketNumbers()) upgraded.loadBucket(bucket, legacy.saveBucket(bucket))
    const added = upgraded.createMany(Array.from({ length: 40 }, () => login(next++)))
    for (const id of added.ids) {
      // A new id names its bucket: one with room then, or a new one.
      expect(id[14]).toBe("8")
      const bucket = bucketOf(id, 64)
      expect(!legacy.bucketNumbers().includes(bucket) || legacy.bucketSize(bucket) < 3).toBe(true)
    }
    expect(Math.max(...sizes(upgraded))).toBe(Math.max(...sizes(legacy)))
    for (const id of old.ids) expect(upgraded.get(id)).toEqual(legacy.get(id))
    expect(upgraded.size).toBe(64 * 3 + 40)
    // Another device replaying the whole log (old entries and new) gets the same vault.
    const replayed = device(1)
    replayed.applyChanges([...old.changes, ...added.changes])
    expect(state(replayed)).toEqual(state(upgraded))
  })
})
