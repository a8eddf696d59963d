import { describe, expect, it } from "vitest"
import { decodeBucketSnapshot, encodeBucketSnapshot } from "../../../src/merge/bucket-snapshot.js"
import { bucketOf, VaultDoc, type BucketChange, type RecordInput } from "../../../src/merge/index.js"
import { utf8 } from "../../../src/crypto/index.js"
import { actorOf, START_MS } from "./helpers.js"

const BUCKETS = 8

/** A seeded generator (mulberry32): the same run every time, and a failure names its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function newDoc(actor: number, clock: { ms: number }, prefix: string): VaultDoc {
  let next = 0
  return new VaultDoc({}, { actorId: actorOf(actor), bucketCount: BUCKETS, now: () => ++clock.ms, newId: () => `${prefix}-${++next}`, clock: () => clock.ms })
}

function input(rand: () => number, n: number): RecordInput {
  return {
    type: rand() < 0.7 ? "login" : "note",
    title: `rec ${Math.floor(rand() * 50)} ${n}`,
    fields: { username: { value: `user${n}`, kind: "text" }, password: { value: `secret-${n}`, kind: "secret" }, url: { value: `https://h${n % 7}.example`, kind: "url" } },
    tags: rand() < 0.3 ? ["work"] : [],
    notes: `notes ${n}`,
  }
}

/** Random edits on `doc`: creates, edits, trash, restore, permanent deletes; returns its changes. */
function edit(doc: VaultDoc, rand: () => number, steps: number, counter: { n: number }): BucketChange[] {
  const changes: BucketChange[] = []
  for (let i = 0; i < steps; i++) {
    const all = [...doc.list(), ...doc.list({ trash: true })]
    const pick = all[Math.floor(rand() * all.length)]
    const roll = rand()
    if (pick === undefined || roll < 0.4) changes.push(...doc.create(input(rand, ++counter.n)).changes)
    else if (roll < 0.65) changes.push(...doc.update(pick.id, { set: { title: `edited ${++counter.n}`, fields: { username: { value: `u${counter.n}`, kind: "text" } } } }).changes)
    else if (roll < 0.8) changes.push(...doc.update(pick.id, { set: { trashed: !pick.trashed } }).changes)
    else if (roll < 0.9) changes.push(...doc.update(pick.id, { unset: ["url"], set: { tags: ["x", "work"] } }).changes)
    else changes.push(...doc.deletePermanently(pick.id))
  }
  return changes
}

/** What every list filter shows. */
function views(doc: VaultDoc) {
  return { all: doc.list(), trash: doc.list({ trash: true }), work: doc.list({ tag: "work" }), query: doc.list({ query: "h3" }), size: doc.size }
}

/** A doc built from every change: the reference a lazily loaded one must equal. */
function fullLoad(changes: BucketChange[]): VaultDoc {
  const doc = new VaultDoc({}, { actorId: actorOf(5), bucketCount: BUCKETS })
  doc.applyChanges(changes)
  return doc
}

/** A bucket snapshot whose index part is replaced by `index` (as if written wrong). */
function withIndex(snapshot: Uint8Array, bucket: number, index: string): Uint8Array {
  return encodeBucketSnapshot(decodeBucketSnapshot(snapshot, bucket, BUCKETS).saved, utf8(index))
}

describe("the summary index saved with each bucket snapshot", () => {
  it("lists exactly what a full load lists after random edits, remote merges, trash and restore, and snapshots in between", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = random(seed)
      const clock = { ms: START_MS }
      const counter = { n: 0 }
      const a = newDoc(0, clock, "a")
      const b = newDoc(1, clock, "b")
      const log: BucketChange[] = []
      for (let round = 0; round < 4; round++) {
        const fromA = edit(a, rand, 25, counter)
        const fromB = edit(b, rand, 10, counter)
        log.push(...fromA, ...fromB)
        a.applyChanges(fromB)
        b.applyChanges(fromA)
      }
      // A restarted device: A's snapshots, then a tail it had not merged when they were written.
      const lazy = newDoc(0, clock, "lazy")
      for (let bucket = 0; bucket < BUCKETS; bucket++) lazy.loadBucket(bucket, a.saveBucket(bucket))
      expect(lazy.loadedBuckets).toBe(0)
      expect(views(lazy)).toEqual(views(fullLoad(log)))
      const tail = edit(b, rand, 6, counter)
      log.push(...tail)
      lazy.applyChanges(tail)
      expect(lazy.loadedBuckets).toBe(new Set(tail.map((c) => c.bucket)).size)
      const full = fullLoad(log)
      expect(views(lazy), `seed ${seed}`).toEqual(views(full))
      for (const summary of lazy.list().slice(0, 5)) expect(lazy.get(summary.id)).toEqual(full.get(summary.id))
    }
  })

  it("lists from the index without loading a bucket, and loads only the bucket of a record read in full or edited", () => {
    const clock = { ms: START_MS }
    const a = newDoc(0, clock, "a")
    const ids = Array.from({ length: 40 }, (_, n) => a.create(input(random(n), n)).id)
    const lazy = newDoc(0, clock, "a2")
    for (let bucket = 0; bucket < BUCKETS; bucket++) lazy.loadBucket(bucket, a.saveBucket(bucket))
    expect(lazy.list()).toEqual(a.list())
    expect(lazy.has(ids[0])).toBe(true)
    expect(lazy.size).toBe(40)
    expect(lazy.loadedBuckets).toBe(0)
    expect(lazy.get(ids[0])).toEqual(a.get(ids[0]))
    expect(lazy.loadedBuckets).toBe(1)
    lazy.update(ids[1], { set: { title: "changed" } })
    expect(lazy.loadedBuckets).toBe(bucketOf(ids[0], BUCKETS) === bucketOf(ids[1], BUCKETS) ? 1 : 2)
    expect(lazy.list().find((s) => s.id === ids[1])?.title).toBe("changed")
  })

  it("never lists a hidden value: list summaries from the index leave secrets out like a full read", () => {
    const clock = { ms: START_MS }
    const a = newDoc(0, clock, "a")
    a.create(input(random(1), 1))
    const lazy = newDoc(0, clock, "a2")
    for (let bucket = 0; bucket < BUCKETS; bucket++) lazy.loadBucket(bucket, a.saveBucket(bucket))
    expect(JSON.stringify(lazy.list())).not.toContain("secret-1")
    expect(lazy.list()[0].fields.password).toEqual({ kind: "secret" })
  })

  it("reads the bucket instead when the index is missing, corrupt, shows a secret or names another bucket's record", () => {
    const clock = { ms: START_MS }
    const a = newDoc(0, clock, "a")
    const ids = Array.from({ length: 30 }, (_, n) => a.create(input(random(n), n)).id)
    const bucket = bucketOf(ids[0], BUCKETS)
    const other = ids.find((id) => bucketOf(id, BUCKETS) !== bucket)!
    const saved = a.saveBucket(bucket)
    const summaries = JSON.parse(JSON.stringify(a.list().filter((s) => bucketOf(s.id, BUCKETS) === bucket)))
    const leaking = summaries.map((s: { fields: Record<string, { kind: string; value?: string }> }) => ({ ...s, fields: { ...s.fields, password: { kind: "secret", value: "leak" } } }))
    const foreign = [...summaries, a.list().find((s) => s.id === other)]
    const variants = {
      legacy: decodeBucketSnapshot(saved, bucket, BUCKETS).saved,
      garbage: withIndex(saved, bucket, "{not json"),
      leaking: withIndex(saved, bucket, JSON.stringify(leaking)),
      foreign: withIndex(saved, bucket, JSON.stringify(foreign)),
      notAList: withIndex(saved, bucket, JSON.stringify({ id: ids[0] })),
    }
    const expected = a.list().filter((s) => bucketOf(s.id, BUCKETS) === bucket)
    for (const [name, snapshot] of Object.entries(variants)) {
      const lazy = newDoc(0, clock, name)
      expect(lazy.takeBucket(bucket, snapshot).indexed, name).toBe(false)
      expect(lazy.loadedBuckets, name).toBe(1)
      expect(lazy.list(), name).toEqual(expected)
      expect(JSON.stringify(lazy.list())).not.toContain("leak")
    }
    const sound = newDoc(0, clock, "sound")
    expect(sound.takeBucket(bucket, saved).indexed).toBe(true)
    expect(sound.loadedBuckets).toBe(0)
    expect(sound.list()).toEqual(expected)
  })

  it("takes an index written in another order (records, fields) as the sorted summaries; a field named __proto__ stays a field; odd types are refused", () => {
    const clock = { ms: START_MS }
    const a = newDoc(0, clock, "a")
    const ids = Array.from({ length: 30 }, (_, n) => a.create(input(random(n), n)).id)
    const bucket = bucketOf(ids[0], BUCKETS)
    const saved = a.saveBucket(bucket)
    const expected = a.list().filter((s) => bucketOf(s.id, BUCKETS) === bucket)
    const reversedFields = (s: (typeof expected)[number]) => ({ ...s, fields: Object.fromEntries(Object.entries(s.fields).reverse()) })
    const shuffled = [...expected].reverse().map(reversedFields)
    const decoded = decodeBucketSnapshot(withIndex(saved, bucket, JSON.stringify(shuffled)), bucket, BUCKETS).summaries!
    expect(decoded).toEqual(expected)
    expect(decoded.map((s) => Object.keys(s.fields))).toEqual(expected.map((s) => Object.keys(s.fields).sort()))
    expect(Object.isFrozen(decoded) && decoded.every((s) => Object.isFrozen(s) && Object.isFrozen(s.fields) && Object.isFrozen(s.tags))).toBe(true)
    const proto = JSON.parse(JSON.stringify(expected).replace('"password":', '"__proto__":'))
    const withProto = decodeBucketSnapshot(withIndex(saved, bucket, JSON.stringify(proto)), bucket, BUCKETS).summaries!
    expect(Object.getPrototypeOf(withProto[0].fields)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(withProto[0].fields, "__proto__")?.value).toEqual({ kind: "secret" })
    const odd = { tags: [1], createdAt: "1", favorite: "yes", id: "", fields: [] }
    for (const [key, value] of Object.entries(odd)) {
      const bad = expected.map((s, i) => (i === 0 ? { ...s, [key]: value } : s))
      expect(decodeBucketSnapshot(withIndex(saved, bucket, JSON.stringify(bad)), bucket, BUCKETS).summaries, key).toBeUndefined()
    }
    const twice = [...expected, expected[0]]
    expect(decodeBucketSnapshot(withIndex(saved, bucket, JSON.stringify(twice)), bucket, BUCKETS).summaries).toBeUndefined()
  })

  it("sends idle buckets back to their snapshot and reads them again on demand, edits included", () => {
    const clock = { ms: START_MS }
    const a = newDoc(0, clock, "a")
    const ids = Array.from({ length: 30 }, (_, n) => a.create(input(random(n), n)).id)
    expect(a.loadedBuckets).toBeGreaterThan(0)
    const before = views(a)
    const record = a.get(ids[3])
    clock.ms += 60_000
    expect(a.evictIdle(30_000, BUCKETS)).toBeGreaterThan(0)
    expect(a.loadedBuckets).toBe(0)
    expect(views(a)).toEqual(before)
    expect(a.get(ids[3])).toEqual(record)
    a.update(ids[3], { set: { title: "after eviction" } })
    clock.ms += 60_000
    a.evictIdle(30_000, BUCKETS)
    const restarted = newDoc(0, clock, "r")
    for (let bucket = 0; bucket < BUCKETS; bucket++) restarted.loadBucket(bucket, a.saveBucket(bucket))
    expect(restarted.get(ids[3])?.title).toBe("after eviction")
    expect(views(restarted)).toEqual(views(a))
  })

  it("keeps a bucket whose changes wait for missing dependencies loaded (a save would drop them)", () => {
    const clock = { ms: START_MS }
    const a = newDoc(0, clock, "a")
    const first = a.create({ type: "note", title: "first" })
    const second = a.update(first.id, { set: { title: "second" } }).changes
    const b = newDoc(1, clock, "b")
    b.applyChanges(second)
    clock.ms += 60_000
    b.evictIdle(30_000, BUCKETS)
    expect(b.loadedBuckets).toBe(1)
    b.applyChanges(first.changes)
    expect(b.get(first.id)?.title).toBe("second")
  })

  it("a bucket kept for missing dependencies does not hold back the others, evicted one at a time", () => {
    const clock = { ms: START_MS }
    const a = newDoc(0, clock, "a")
    const first = a.create({ type: "note", title: "first" })
    const second = a.update(first.id, { set: { title: "second" } }).changes
    const others = Array.from({ length: 20 }, (_, n) => a.create({ type: "note", title: `other ${n}` }))
    const elsewhere = others.filter((o) => bucketOf(o.id, BUCKETS) !== bucketOf(first.id, BUCKETS))
    const b = newDoc(1, clock, "b")
    b.applyChanges(second) // the oldest bucket: waits for `first`
    clock.ms += 1_000
    b.applyChanges(elsewhere.flatMap((o) => o.changes))
    const loaded = b.loadedBuckets
    expect(loaded).toBeGreaterThan(1)
    clock.ms += 60_000
    expect(b.evictIdle(30_000, 1)).toBe(1)
    expect(b.loadedBuckets).toBe(loaded - 1)
  })
})
