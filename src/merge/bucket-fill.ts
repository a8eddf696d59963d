import * as Automerge from "./automerge.js"
import { LanvaultError } from "../errors.js"
import { bucketOf } from "./bucket.js"
import { encodeSummaries, freezeSummary } from "./bucket-snapshot.js"
import type { TouchedRecords } from "./lazy-buckets.js"
import { compareSummaries } from "./list-filter.js"
import { newStoredRecord, type BucketRoot, type StoredRecord } from "./stored-record.js"
import { HIDDEN_KINDS, type FieldKind, type RecordInput, type RecordSummary } from "./types.js"

const MS_PER_SECOND = 1_000
/** A UTF-16 surrogate standing alone (in `u` mode a valid pair is one code point, never matched). */
const LONE_SURROGATE = /\p{Cs}/u

/** A bucket that did not exist, written whole: its one change, its save() and its summary index. */
export interface FilledBucket {
  /** The Automerge change that creates every record, for the log. */
  change: Uint8Array
  /** The bucket's Automerge save() after that change: it waits cold behind `summaries`. */
  saved: Uint8Array
  /** What `list` shows of its records, sorted and frozen. */
  summaries: readonly RecordSummary[]
  /** `summaries` encoded for the bucket's snapshot (made here, in the import's slices, not all at the next snapshot). */
  encodedSummaries: Uint8Array
}

/**
 * Whether a record can be written by {@link fillNewBucket} with a summary made
 * from its input that is exactly what reading it back gives: Automerge keeps
 * strings as UTF-8, so a lone surrogate in a key or a raw string would come
 * back changed, and times are written as integers only when safe ones. Such a
 * record goes through the usual change (its summary read from the document).
 */
export function fillable(input: RecordInput): boolean {
  const texts = [input.type, input.title, ...(input.tags ?? []), ...Object.keys(input.fields ?? {})]
  if (texts.some((text) => LONE_SURROGATE.test(text))) return false
  return [input.createdAt, input.updatedAt].every((time) => time === undefined || Number.isSafeInteger(time))
}

/**
 * Whether a bucket's new records are written whole ({@link fillNewBucket}) rather
 * than as a usual change: the bucket held nothing when they were planned (`fresh`)
 * and every record is {@link fillable}. The one rule of an import's worker
 * (fillGroups), the vault's thread (vault/bulk-fill.ts) and VaultDoc.createMany.
 */
export function writtenWhole(fresh: boolean, inputs: readonly RecordInput[]): boolean {
  return fresh && inputs.every(fillable)
}

/**
 * Writes new records into a bucket that holds nothing (an import fills hundreds
 * of them, issue 18) as one Automerge change, without the document's JS view:
 * the records are handed to Automerge's batch insert whole (the same insert a
 * proxy assignment in `Automerge.change` makes, so the stored records are the
 * same ops as those `VaultDoc.create` writes), committed, saved, and the
 * document freed at once. Their summaries are made from the inputs, as
 * `readRecord` and `toSummary` would read them back (checked: {@link fillable}).
 * `records` must be validated, fillable, with fresh distinct ids of this bucket.
 */
export function fillNewBucket(actor: string, records: ReadonlyArray<{ id: string; input: RecordInput }>, now: number): FilledBucket {
  const doc = Automerge.init<BucketRoot>({ actor })
  try {
    const backend = Automerge.getBackend(doc)
    // fromEntries defines own properties: no id can reach a prototype.
    const root: BucketRoot = Object.fromEntries(records.map(({ id, input }): [string, StoredRecord] => [id, newStoredRecord(input, now)]))
    backend.initRootFromHydrate(root)
    backend.commit(null, Math.floor(now / MS_PER_SECOND))
    const change = backend.getLastLocalChange()
    if (change === null) throw new LanvaultError("INTERNAL", "filling a new bucket wrote no change")
    const summaries = records.map(({ id, input }) => freezeSummary(summaryOfInput(id, input, now))).sort(compareSummaries)
    Object.freeze(summaries)
    return { change, saved: backend.save(), summaries, encodedSummaries: encodeSummaries(summaries) }
  } finally {
    Automerge.free(doc)
  }
}

/** Whether `actor` made any of the changes `doc` holds. */
export function changedBy(doc: Automerge.Doc<BucketRoot>, actor: string): boolean {
  return Automerge.getChangesMetaSince(doc, []).some((change) => change.actor === actor)
}

/**
 * A bucket written whole as a usual change's edit instead (its change would be
 * refused: see VaultDoc.installFilled): the same records, ops alike, and their
 * summaries, known already.
 */
export function asUsualChange(filled: FilledBucket): [edit: (root: BucketRoot) => void, touched: TouchedRecords] {
  const doc = Automerge.load<BucketRoot>(filled.saved)
  let records: BucketRoot
  try {
    records = Automerge.toJS(doc)
  } finally {
    Automerge.free(doc)
  }
  const summaries = filled.summaries.map(freezeSummary)
  return [(root) => Object.assign(root, records), { ids: summaries.map((s) => s.id), known: new Map(summaries.map((s) => [s.id, s])) }]
}

/** The positions of `ids` grouped by the bucket each names (bucketOf), buckets ascending. */
export function indexesByBucket(ids: readonly string[], hashBuckets: number): Array<[number, number[]]> {
  const byBucket = new Map<number, number[]>()
  ids.forEach((id, index) => {
    const bucket = bucketOf(id, hashBuckets)
    const indexes = byBucket.get(bucket)
    if (indexes) indexes.push(index)
    else byBucket.set(bucket, [index])
  })
  return [...byBucket].sort(([a], [b]) => a - b)
}

/**
 * The summary `toSummary(readRecord(...))` gives for `newStoredRecord(input, now)`, made
 * directly (an import makes 50k of them): keys in the same order, fields sorted by
 * name, hidden kinds without their value, tags in order of first appearance (tagPositions).
 */
function summaryOfInput(id: string, input: RecordInput, now: number): RecordSummary {
  const given = input.fields ?? {}
  const names = Object.keys(given).sort()
  const fields: Array<[string, { kind: FieldKind; value?: string }]> = new Array(names.length)
  for (let i = 0; i < names.length; i++) {
    const { value, kind } = given[names[i]]
    fields[i] = [names[i], HIDDEN_KINDS.has(kind) ? { kind } : { kind, value }]
  }
  const createdAt = input.createdAt ?? now
  const tags = input.tags === undefined || input.tags.length === 0 ? [] : [...new Set(input.tags)]
  // fromEntries defines own properties, so no field name can reach a prototype.
  return { id, type: input.type, title: input.title, tags, favorite: input.favorite === true, trashed: false, createdAt, updatedAt: input.updatedAt ?? createdAt, fields: Object.fromEntries(fields) }
}

/**
 * Where an import's records go, chosen by the vault (ids, buckets) for a writer
 * elsewhere (the import's worker thread) to write with {@link fillGroups}.
 */
export interface FillPlan {
  /** This device's id: the actor of every change. */
  actor: string
  /** The records' createdAt/updatedAt where the source gave none (ms since 1970). */
  now: number
  groups: FillGroup[]
}

/** Records for one bucket: positions in the import's record list and the ids they get. */
export interface FillGroup {
  bucket: number
  indexes: number[]
  ids: string[]
  /** The bucket did not exist when planned (and is reserved): it is written whole if its records allow (writtenWhole). */
  fresh: boolean
}

/** One group written: a fresh bucket whole, or the inputs of one the vault must change the usual way. */
export type FilledGroup = { filled: FilledBucket; inputs?: undefined } | { filled?: undefined; inputs: RecordInput[] }

/**
 * Writes the groups of `plan` in order, one at a time as asked for: a group
 * {@link writtenWhole} is written so (fillNewBucket) unless `handOver()` says,
 * as its turn comes, to hand it over to the vault's thread (idle then) to
 * write; any other group comes back as its inputs. `records` must be validated (checkRecordInput); each is dropped from
 * it once handed on.
 */
export function* fillGroups(records: Array<RecordInput | undefined>, plan: FillPlan, handOver: () => boolean = () => false): Generator<FilledGroup> {
  for (const group of plan.groups) {
    const inputs = group.indexes.map((index) => records[index] as RecordInput)
    for (const index of group.indexes) records[index] = undefined
    if (!writtenWhole(group.fresh, inputs) || handOver()) {
      yield { inputs }
      continue
    }
    yield { filled: fillNewBucket(plan.actor, inputs.map((input, i) => ({ id: group.ids[i], input })), plan.now) }
  }
}

/** New records written elsewhere (an import's worker thread) under a plan the vault makes: see vault/bulk-fill.ts. */
export interface FilledSource {
  /** How many records: validated already (checkRecordInput) unless `check` is given. */
  readonly count: number
  /** Checks record `index` (checkRecordInput), run on every record as the plan is made, before any is written. */
  readonly check?: (index: number) => void
  /** Writes the records under `plan`, yielding each group in order once written. */
  fill(plan: FillPlan): AsyncIterable<FilledGroup>
}

/**
 * Readies this thread's Automerge to write buckets, one step per `between`
 * (a turn of the event loop): cold, making the wasm instance and the first
 * change each take ≈ 20-30 ms, and both in one turn held a socket call behind
 * them for ≈ 60-90 ms.
 */
export async function warmAutomerge(actor: string, between: () => Promise<unknown>): Promise<void> {
  const empty = Automerge.init<Record<string, number>>({ actor })
  await between()
  Automerge.free(Automerge.change(empty, (doc) => {
    doc.warm = 1
  }))
}
