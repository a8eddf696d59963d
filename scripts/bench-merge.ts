/**
 * Measures the merge layer at vault scale (DESIGN §5 "Known costs"):
 * `node --import tsx scripts/bench-merge.ts [records]`. Each phase drops the
 * previous VaultDoc first: a daemon holds one, and live Automerge documents make
 * every garbage collection (so every other phase) slower.
 */
import { performance } from "node:perf_hooks"
import { VaultDoc } from "../src/merge/index.js"
import type { BucketChange, RecordInput } from "../src/merge/index.js"

const DEFAULT_RECORDS = 10_000
const UPDATES = 1_000
const ACTOR_A = "a1".repeat(16)
const ACTOR_B = "b2".repeat(16)
const SITES = ["mail", "bank", "shop", "forum", "cloud", "news", "work", "games", "travel", "health"]

/** A plausible login: username, password, url, sometimes a TOTP seed, notes and a second tag. */
function realisticRecord(index: number): RecordInput {
  const site = SITES[index % SITES.length]
  const fields: RecordInput["fields"] = {
    username: { value: `user${index}@example.com`, kind: "email" },
    password: { value: `pw-${index.toString(36)}-${Math.random().toString(36).slice(2, 14)}`, kind: "secret" },
    url: { value: `https://${site}${index}.example.com/login`, kind: "url" },
  }
  if (index % 5 === 0) fields.totp = { value: "JBSWY3DPEHPK3PXP", kind: "totp" }
  const input: RecordInput = { type: "login", title: `${site} account ${index}`, fields, tags: index % 3 === 0 ? [site, "personal"] : [site] }
  if (index % 7 === 0) input.notes = `security questions for ${site}: first pet, street`
  return input
}

function time<T>(label: string, run: () => T, count?: number): T {
  const started = performance.now()
  const result = run()
  const ms = performance.now() - started
  const each = count ? `  (${(ms / count).toFixed(3)} ms each)` : ""
  console.log(`${label.padEnd(48)} ${ms.toFixed(0).padStart(6)} ms${each}`)
  return result
}

function note(label: string, value: string): void {
  console.log(`${label.padEnd(48)} ${value}`)
}

/** One device writing: creates one change at a time, then edits, reads and saves. */
function writePhase(records: number): { log: BucketChange[]; saved: Saved; savedBeforeUpdates: Saved } {
  const doc = new VaultDoc({}, { actorId: ACTOR_A })
  const log: BucketChange[] = []
  const ids = time(`create ${records} records, one change each`, () => Array.from({ length: records }, (_, i) => {
    const { id, changes } = doc.create(realisticRecord(i))
    log.push(...changes)
    return id
  }), records)
  const savedBeforeUpdates = saveAll(doc)
  time(`update ${UPDATES} passwords`, () => {
    for (let i = 0; i < UPDATES; i++) {
      log.push(...doc.update(ids[(i * 7) % ids.length], { set: { fields: { password: { value: `new-${i}`, kind: "secret" } } } }).changes)
    }
  }, UPDATES)
  note("log", `${log.length} changes, ${kib(log.reduce((sum, c) => sum + c.change.length, 0))}`)
  time("list() everything", () => doc.list())
  time("list({ query: 'mail' })", () => doc.list({ query: "mail" }))
  time(`get() ${UPDATES} records`, () => ids.slice(0, UPDATES).forEach((id) => doc.get(id)), UPDATES)
  time(`history() ${UPDATES} records`, () => ids.slice(0, UPDATES).forEach((id) => doc.history(id)), UPDATES)
  const saved = time(`save ${doc.bucketNumbers().length} buckets`, () => saveAll(doc))
  note("snapshot size", kib(saved.reduce((sum, [, s]) => sum + s.length, 0)))
  return { log, saved, savedBeforeUpdates }
}

/** Unlock paths: load the snapshot, merge a log tail, or replay the whole log. */
function readPhase(records: number, log: BucketChange[], saved: Saved, savedBeforeUpdates: Saved): void {
  const loaded = new VaultDoc({}, { actorId: ACTOR_B })
  time(`load ${saved.length} buckets`, () => saved.forEach(([b, bytes]) => loaded.loadBucket(b, bytes)))
  check(loaded.size === records, "loaded size")
  time(`apply the last ${UPDATES} changes again (no-op merge)`, () => loaded.applyChanges(log.slice(-UPDATES)))
  const expected = JSON.stringify(loaded.list())
  tailPhase(log, savedBeforeUpdates, expected)
  replayPhase(records, log, expected)
}

/** Unlock from an older snapshot: load it, then merge the log tail written since. */
function tailPhase(log: BucketChange[], savedBeforeUpdates: Saved, expected: string): void {
  const doc = new VaultDoc({}, { actorId: ACTOR_B })
  savedBeforeUpdates.forEach(([b, bytes]) => doc.loadBucket(b, bytes))
  const { changedIds } = time(`merge a tail of ${UPDATES} new changes`, () => doc.applyChanges(log.slice(-UPDATES)), UPDATES)
  check(changedIds.length > 0 && JSON.stringify(doc.list()) === expected, "tail merge")
}

function replayPhase(records: number, log: BucketChange[], expected: string): void {
  const replayed = new VaultDoc({}, { actorId: ACTOR_B })
  const { changedIds } = time(`replay ${log.length} changes into a fresh doc`, () => replayed.applyChanges(log))
  check(replayed.size === records && changedIds.length === records, "replayed size")
  check(JSON.stringify(replayed.list()) === expected, "replayed equals loaded")
}

/** An import: every record in one call, one change per bucket. */
function importPhase(records: number): void {
  const bulk = new VaultDoc({}, { actorId: ACTOR_B })
  const inputs = Array.from({ length: records }, (_, i) => realisticRecord(i))
  const created = time(`createMany ${records} records (an import)`, () => bulk.createMany(inputs))
  note("createMany changes", `${created.changes.length}, ${kib(created.changes.reduce((sum, c) => sum + c.change.length, 0))}`)
}

function main(): void {
  const records = Number(process.argv[2] ?? DEFAULT_RECORDS)
  const { log, saved, savedBeforeUpdates } = writePhase(records)
  readPhase(records, log, saved, savedBeforeUpdates)
  importPhase(records)
}

/** Every bucket's save(), with its number. */
type Saved = Array<[number, Uint8Array]>

function saveAll(doc: VaultDoc): Saved {
  return doc.bucketNumbers().map((bucket) => [bucket, doc.saveBucket(bucket)])
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench sanity check failed: ${what}`)
}

main()
