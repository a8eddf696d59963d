/**
 * Does an edit cost more in a bigger vault? (issue 18 "cost that does not grow
 * with the vault"): `node --import tsx scripts/bench-scale.ts [records...]`
 * (default 1000 10000 100000). For each size it fills a VaultDoc the way an
 * import does, loads a second device from its snapshot, then times, one at a
 * time: creates, password edits on A, merging each edit into B (what a sync
 * round and a `record.changed` cost there), reading the record on B, and a
 * concurrent edit of one record on both merged back into A. Prints the
 * records per bucket next to each, so before/after is one table.
 */
import { performance } from "node:perf_hooks"
import { bucketOf, VaultDoc } from "../src/merge/index.js"
import type { RecordInput } from "../src/merge/index.js"

const SIZES = [1_000, 10_000, 100_000]
const FILL_BATCH = 1_000
const SAMPLES = 200
const CONCURRENT_SAMPLES = 20
const ACTOR_A = "a1".repeat(16)
const ACTOR_B = "b2".repeat(16)

function record(index: number): RecordInput {
  return {
    type: "login",
    title: `site ${index}`,
    fields: {
      username: { value: `user${index}@example.com`, kind: "email" },
      password: { value: `pw-${index.toString(36)}-${Math.random().toString(36).slice(2, 14)}`, kind: "secret" },
      url: { value: `https://site${index}.example.com/login`, kind: "url" },
    },
    tags: ["bench"],
  }
}

/** The buckets a doc holds (`bucketCount` of them before issue 18's layout, so this runs on both for before/after). */
function bucketsOf(doc: VaultDoc): number[] {
  const legacy = doc as unknown as { bucketCount?: number; bucketNumbers?: () => number[] }
  return legacy.bucketNumbers?.() ?? Array.from({ length: legacy.bucketCount ?? 0 }, (_, bucket) => bucket)
}

function sample(count: number, step: (i: number) => void): number[] {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    step(i)
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)
}

function pct(sorted: number[], p: number): string {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2)
}

function row(label: string, sorted: number[]): string {
  return `${label} p50 ${pct(sorted, 50)} / p99 ${pct(sorted, 99)} ms`
}

function measure(records: number): void {
  const a = new VaultDoc({}, { actorId: ACTOR_A })
  for (let done = 0; done < records; done += FILL_BATCH) {
    a.createMany(Array.from({ length: Math.min(FILL_BATCH, records - done) }, (_, i) => record(done + i)))
  }
  const b = new VaultDoc({}, { actorId: ACTOR_B })
  const buckets = bucketsOf(a)
  for (const bucket of buckets) b.loadBucket(bucket, a.saveBucket(bucket))
  const ids = a.list().map((s) => s.id)
  // Every bucket of B loaded (a cold bucket loads on first use): the steady state is measured, not the first touch.
  const firstOf = new Map<number, string>()
  for (const id of ids) if (!firstOf.has(bucketOf(id, 64))) firstOf.set(bucketOf(id, 64), id)
  for (const id of firstOf.values()) b.get(id)
  b.list()
  const perBucket = new Map<number, number>()
  for (const id of ids) perBucket.set(bucketOf(id, 64), (perBucket.get(bucketOf(id, 64)) ?? 0) + 1)
  const sizes = [...perBucket.values()]
  const largest = Math.max(...sizes)
  const createMs = sample(SAMPLES, (i) => b.applyChanges(a.create(record(records + i)).changes))
  const editMs: number[] = []
  const mergeMs: number[] = []
  const readMs: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const id = ids[(i * 7919) % ids.length]
    let started = performance.now()
    const { changes } = a.update(id, { set: { fields: { password: { value: `new-${i}`, kind: "secret" } } } })
    editMs.push(performance.now() - started)
    started = performance.now()
    b.applyChanges(changes)
    mergeMs.push(performance.now() - started)
    started = performance.now()
    b.get(id)
    readMs.push(performance.now() - started)
  }
  const concurrentMs = sample(CONCURRENT_SAMPLES, (i) => {
    const id = ids[(i * 104_729) % ids.length]
    const mine = a.update(id, { set: { title: `a ${i}` } }).changes
    const theirs = b.update(id, { set: { title: `b ${i}` } }).changes
    a.applyChanges(theirs)
    b.applyChanges(mine)
  })
  for (const list of [editMs, mergeMs, readMs]) list.sort((x, y) => x - y)
  const total = createMs.reduce((s, t) => s + t, 0)
  console.log(`${records} records: ${sizes.length} buckets, ${Math.round(records / sizes.length)} records per bucket on average, ${largest} at most`)
  console.log(`  create one on A + merge on B: ${(SAMPLES / (total / 1_000)).toFixed(0)}/s; ${row("", createMs)}`)
  console.log(`  ${row("edit on A:", editMs)}`)
  console.log(`  ${row("merge the edit on B:", mergeMs)}`)
  console.log(`  ${row("read it on B:", readMs)}`)
  console.log(`  ${row("concurrent edit of one record, merged both ways:", concurrentMs)}`)
}

const sizes = process.argv.slice(2).map(Number)
for (const records of sizes.length > 0 ? sizes : SIZES) measure(records)
