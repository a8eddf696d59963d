import * as Automerge from "./automerge.js"
import { CorruptDataError, InvalidParamsError, LanvaultError, NotFoundError } from "../errors.js"
import { forgetLastPatch, groupByBucket, mergeIntoBucket } from "./bucket-changes.js"
import { bucketOf, checkBucket, checkBucketCount, DEFAULT_BUCKET_COUNT, newRecordIds } from "./bucket.js"
import { BucketAllocator, type BucketAllocatorOptions } from "./bucket-allocator.js"
import { asUsualChange, changedBy, fillable, fillNewBucket, indexesByBucket, writtenWhole, type FilledBucket } from "./bucket-fill.js"
import { decodeBucketSnapshot, freezeSummary } from "./bucket-snapshot.js"
import { readHistory } from "./history.js"
import { LazyBuckets, type TouchedRecords } from "./lazy-buckets.js"
import type { ListScope } from "./list-view.js"
import { applyPatch } from "./record-patch.js"
import { UnreadableChangesError } from "./unreadable-changes-error.js"
import { newStoredRecord, newSummary, readRecord, type BucketRoot, type StoredRecord } from "./stored-record.js"
import type { BucketChange, HistoryEntry, ListFilter, RecordInput, RecordPage, RecordPatch, RecordSummary, VaultRecord } from "./types.js"
import { checkRecordId, checkRecordInput, checkRecordPatch } from "./validate.js"

const ACTOR_ID_PATTERN = /^[0-9a-f]{32}$/
const MS_PER_SECOND = 1_000

/** How a VaultDoc is set up; `now` and `newId` are there for tests. */
export interface VaultDocOptions {
  /** This device's id (32 lowercase hex chars): the Automerge actor of every bucket. */
  actorId: string
  /** Fixed for the life of a vault: the buckets an id that names none is hashed over (see bucketOf), 64 by default. */
  bucketCount?: number
  /** Clock for createdAt/updatedAt/history, ms since epoch. */
  now?: () => number
  /** A fresh id for a record going to `bucket`; newRecordId by default (an id naming another bucket, or none, is still placed by bucketOf). */
  newId?: (bucket: number) => string
  /** For tests: how full a bucket gets and how many stay open (see BucketAllocator). */
  allocator?: Omit<BucketAllocatorOptions, "hashBuckets">
  /** Clock of bucket use (idle eviction), ms. */
  clock?: () => number
  /** Told each time a bucket is loaded from its snapshot (to keep how many are loaded bounded). */
  onBucketLoad?: () => void
}

/**
 * The vault's records as Automerge documents of bounded size, the buckets
 * (DESIGN §5), made as records arrive: a record's id names its bucket for good
 * (bucketOf) and new ids go to buckets with room (BucketAllocator), so an edit
 * costs the same in a vault of 1k or 100k records. Each bucket's root maps
 * record ids to records, so no shared map is ever created concurrently. Every mutation returns its Automerge changes tagged with their
 * bucket, for the caller to encrypt and log; remote changes come back in through
 * `applyChanges`. A mutation that throws has changed nothing (callers batching
 * edits rely on it). It knows nothing of storage, crypto or the network.
 */
export class VaultDoc {
  private readonly buckets: LazyBuckets
  private allocator: BucketAllocator
  /** Buckets ids naming none are hashed over. */
  readonly hashBuckets: number
  /** This device's id: the Automerge actor of every bucket. */
  readonly actorId: string
  /** The clock of createdAt/updatedAt/history, ms since 1970. */
  readonly now: () => number
  private readonly newId: ((bucket: number) => string) | undefined
  private readonly allocatorOptions: BucketAllocatorOptions

  constructor(_deps: Record<string, never>, options: VaultDocOptions) {
    if (!ACTOR_ID_PATTERN.test(options.actorId)) throw new InvalidParamsError("the actor id must be 32 lowercase hex characters (a device id)")
    const bucketCount = options.bucketCount ?? DEFAULT_BUCKET_COUNT
    checkBucketCount(bucketCount)
    this.actorId = options.actorId
    this.now = options.now ?? Date.now
    this.newId = options.newId
    this.hashBuckets = bucketCount
    this.allocatorOptions = { hashBuckets: bucketCount, ...options.allocator }
    this.allocator = new BucketAllocator({}, this.allocatorOptions)
    this.buckets = new LazyBuckets(this.actorId, options.clock ?? Date.now, (bucket, size) => this.allocator.note(bucket, size), options.onBucketLoad)
  }

  /** The buckets that exist (that a change, merge or snapshot has made), ascending. */
  bucketNumbers(): number[] {
    return this.buckets.numbers()
  }

  /** Records a bucket holds (trashed ones included), without loading it; 0 for one that does not exist. */
  bucketSize(bucket: number): number {
    checkBucket(bucket)
    return this.buckets.size(bucket)
  }

  /** Records not permanently deleted, trashed ones included. */
  get size(): number {
    return this.buckets.numbers().reduce((count, bucket) => count + this.buckets.size(bucket), 0)
  }

  /** Fresh ids for `count` new records, each naming a bucket with room (see BucketAllocator). */
  newIds(count: number): string[] {
    return this.newIdsIn(this.pickBuckets(count))
  }

  /** Buckets with room for `count` new records, one each (see BucketAllocator). */
  pickBuckets = (count: number): number[] => this.allocator.pick(count)

  /** Where new records go (BucketAllocator): an import reserves the buckets its worker writes whole. */
  get allocation(): Pick<BucketAllocator, "reserve" | "release"> {
    return this.allocator
  }

  /** Takes a bucket written whole (fillNewBucket; elsewhere: reserved till now), cold behind its summaries; merged should a peer's change have made it meanwhile.
   *  If this device changed the bucket meanwhile (a peer's record there edited), Automerge refuses the filled change, a second seq 1 of its actor: the records go in as a usual change. */
  installFilled(bucket: number, filled: FilledBucket): BucketChange {
    checkBucket(bucket)
    if (this.allocator.holds(bucket) && changedBy(this.buckets.doc(bucket), this.actorId)) return this.change(bucket, this.now(), ...asUsualChange(filled))[0]
    const summaries = Object.freeze(filled.summaries.map(freezeSummary))
    this.buckets.install(bucket, { saved: filled.saved, summaries, encodedSummaries: filled.encodedSummaries })
    return { bucket, change: filled.change }
  }

  /** Fresh ids naming `buckets`, one each; checked unused. */
  newIdsIn(buckets: readonly number[]): string[] {
    const ids = this.newId === undefined ? newRecordIds(buckets) : buckets.map((bucket) => this.newId!(bucket))
    for (const id of ids) this.checkFresh(id)
    return ids
  }

  /** How many buckets are held as Automerge documents now (the rest wait in their snapshot). */
  get loadedBuckets(): number {
    return this.buckets.loadedCount
  }

  /**
   * Takes a bucket's snapshot made by `saveBucket` (or an older plain Automerge save). Into a bucket holding nothing yet,
   * one with a sound summary index is kept as it is and read only when needed; otherwise it is loaded, and merged into
   * what the bucket holds. Throws CorruptDataError on bytes Automerge cannot read, leaving the bucket as it was. Returns the ids the snapshot holds.
   */
  loadBucket(bucket: number, snapshot: Uint8Array): string[] {
    return this.takeBucket(bucket, snapshot).ids
  }

  /** `loadBucket`, also saying whether the snapshot's index was used (false: missing or unsound, so the bucket was read). */
  takeBucket(bucket: number, snapshot: Uint8Array): { ids: string[]; indexed: boolean } {
    checkBucket(bucket)
    const decoded = decodeBucketSnapshot(snapshot, bucket, this.hashBuckets)
    return { ids: this.buckets.install(bucket, decoded), indexed: decoded.summaries !== undefined }
  }

  /** The bucket as a snapshot: its Automerge save() with the summary index of its records (merge/bucket-snapshot.ts). */
  saveBucket(bucket: number): Uint8Array {
    checkBucket(bucket)
    return this.buckets.save(bucket)
  }

  /** Sends buckets unused for `idleMs`, and the least recently used beyond `keepLoaded`, back to their snapshot; at most `max`; returns how many. */
  evictIdle(idleMs: number, max: number, keepLoaded?: number): number {
    return this.buckets.evictIdle(idleMs, max, keepLoaded)
  }

  /** Frees every bucket (at lock); the doc is empty afterwards. */
  clear(): void {
    this.buckets.clear()
    this.allocator = new BucketAllocator({}, this.allocatorOptions)
  }

  /**
   * Merges changes from other devices or from the log: any order, duplicates harmless, ones whose
   * dependencies are missing wait inside Automerge; one batched Automerge call per bucket. Returns the
   * ids of records whose content changed. If some changes are unreadable, every readable one is still
   * merged, then UnreadableChangesError (CORRUPT_DATA) is thrown with the changed ids; the doc stays usable.
   */
  applyChanges(changes: BucketChange[]): { changedIds: string[] } {
    const byBucket = groupByBucket(changes)
    const changed = new Set<string>()
    let unreadable = 0
    let firstError: unknown
    for (const [bucket, bytes] of byBucket) {
      const inBucket = new Set<string>()
      const merged = mergeIntoBucket(this.buckets.doc(bucket), bytes, this.actorId, inBucket)
      this.buckets.setDoc(bucket, merged.doc, merged.straight ? { ids: inBucket } : undefined)
      for (const id of inBucket) changed.add(id)
      unreadable += merged.unreadable
      firstError ??= merged.error
    }
    if (unreadable > 0) throw new UnreadableChangesError(unreadable, [...changed], { cause: firstError })
    return { changedIds: [...changed] }
  }

  /** Creates one record; see `createMany`. */
  create(input: RecordInput): { id: string; changes: BucketChange[] } {
    const { ids, changes } = this.createMany([input])
    return { id: ids[0], changes }
  }

  /**
   * Creates records with fresh ids (newIds), one Automerge change per bucket touched. All inputs are
   * checked before anything is written. With `fillNew` (an import), a bucket that did not exist is written
   * whole and left cold behind its summary index (fillNewBucket); `ids`: made before (newIdsIn) by a caller.
   */
  createMany(inputs: RecordInput[], options: { fillNew?: boolean; ids?: readonly string[] } = {}): { ids: string[]; changes: BucketChange[] } {
    if (!Array.isArray(inputs)) throw new InvalidParamsError("createMany takes a list of records")
    inputs.forEach((input) => checkRecordInput(input))
    const ids = options.ids === undefined ? this.newIds(inputs.length) : options.ids.map((id) => (this.checkFresh(id), id))
    if (ids.length !== inputs.length || new Set(ids).size !== ids.length) throw new LanvaultError("INTERNAL", "the ids for new records are not one distinct id each")
    const now = this.now()
    const held = options.fillNew === true ? new Set(this.buckets.numbers()) : undefined
    const changes: BucketChange[] = []
    for (const [bucket, indexes] of indexesByBucket(ids, this.hashBuckets)) {
      if (writtenWhole(held !== undefined && !held.has(bucket), indexes.map((index) => inputs[index]))) {
        changes.push(this.installFilled(bucket, fillNewBucket(this.actorId, indexes.map((index) => ({ id: ids[index], input: inputs[index] })), now)))
        continue
      }
      const made = indexes.map((index) => ({ id: ids[index], stored: newStoredRecord(inputs[index], now), readsBack: fillable(inputs[index]) }))
      changes.push(...this.change(bucket, now, (root) => {
        for (const { id, stored } of made) root[id] = stored
      }, { ids: made.map(({ id }) => id), known: new Map(made.filter((m) => m.readsBack).map(({ id, stored }) => [id, newSummary(id, stored)])) }))
    }
    return { ids, changes }
  }

  /** {@link patch}, then the record read back. */
  update(id: string, patch: RecordPatch): { record: VaultRecord; changes: BucketChange[] } {
    return { changes: this.patch(id, patch), record: this.get(id)! }
  }

  /**
   * Applies a patch: set parts replace what they name, `unset` removes fields. Replaced and removed
   * field (and title) values go to the record's history. Works on trashed records; `set.trashed = false`
   * restores one. Throws NotFoundError if the record does not exist (or was permanently deleted).
   */
  patch(id: string, patch: RecordPatch): BucketChange[] {
    checkRecordPatch(patch)
    this.require(id)
    const now = this.now()
    return this.change(bucketOf(id, this.hashBuckets), now, (root) => {
      applyPatch(root, id, patch, now)
    }, { ids: [id] })
  }

  /** Moves a record to the trash (a flag: a concurrent edit elsewhere is kept). */
  trash(id: string): BucketChange[] {
    return this.patch(id, { set: { trashed: true } })
  }

  /** Removes a record for good. This wins over a concurrent edit on another device: deleting is explicit, and usually done from the trash. */
  deletePermanently(id: string): BucketChange[] {
    this.require(id)
    return this.change(bucketOf(id, this.hashBuckets), this.now(), (root) => {
      delete root[id]
    }, { ids: [id] })
  }

  /** Whether a record exists (trashed ones included): cheaper than `get`, which reads every value. */
  has(id: string): boolean {
    checkRecordId(id)
    return this.buckets.has(bucketOf(id, this.hashBuckets), id)
  }

  /** A record with every value, secrets included; undefined if there is none. */
  get(id: string): VaultRecord | undefined {
    const stored = this.stored(id)
    return stored === undefined ? undefined : readRecord(id, stored)
  }

  /** Records matching the filter and `scope`, secret and TOTP values left out, in list order: one frozen array until a record changes. */
  list(filter: ListFilter = {}, scope?: ListScope): readonly RecordSummary[] {
    return this.buckets.view.list(this.buckets.list(), filter, scope)
  }

  /** At most `limit` records of `list(filter, scope)` after `cursor` (ListView.page). */
  page(filter: ListFilter, limit: number, cursor?: string, scope?: ListScope): RecordPage {
    return this.buckets.view.page(this.buckets.list(), filter, limit, cursor, scope)
  }

  /** Values the record's fields and title no longer hold, newest first (conflict losers included). */
  history(id: string): HistoryEntry[] {
    return readHistory(this.require(id))
  }

  private stored(id: string): StoredRecord | undefined {
    checkRecordId(id)
    const bucket = bucketOf(id, this.hashBuckets)
    if (!this.buckets.has(bucket, id)) return undefined
    const root = this.buckets.doc(bucket)
    return Object.hasOwn(root, id) ? root[id] : undefined
  }

  private require(id: string): StoredRecord {
    const stored = this.stored(id)
    if (stored === undefined) throw new NotFoundError(`record ${id}`)
    return stored
  }

  /** Runs one Automerge change on a bucket, altering only the records `touched` names; returns it, or nothing if the edit wrote nothing. */
  private change(bucket: number, now: number, edit: (root: BucketRoot) => void, touched: TouchedRecords): BucketChange[] {
    const before = this.buckets.doc(bucket)
    const after = Automerge.change(before, { time: Math.floor(now / MS_PER_SECOND) }, edit)
    if (after === before) return []
    this.buckets.setDoc(bucket, forgetLastPatch(after), touched)
    const change = Automerge.getLastLocalChange(after)
    return change === undefined ? [] : [{ bucket, change }]
  }

  private checkFresh(id: string): void {
    checkRecordId(id)
    if (this.has(id)) throw new LanvaultError("INTERNAL", "the id generator returned an id already in use")
  }
}
