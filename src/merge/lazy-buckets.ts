import * as Automerge from "./automerge.js"
import { CorruptDataError } from "../errors.js"
import { forgetLastPatch, isPristine } from "./bucket-changes.js"
import { encodeBucketSnapshot, encodeSummaries, freezeSummary, type DecodedBucketSnapshot } from "./bucket-snapshot.js"
import { compareSummaries } from "./list-filter.js"
import { ListView } from "./list-view.js"
import { readRecord, toSummary, type BucketRoot } from "./stored-record.js"
import { SummaryCache, type SummarySource } from "./summary-cache.js"
import type { RecordSummary } from "./types.js"

/** A bucket not held as an Automerge document: its snapshot bytes (none: empty) and its index. */
interface ColdBucket {
  readonly saved?: Uint8Array
  readonly summaries: readonly RecordSummary[]
  readonly ids: ReadonlySet<string>
  /** The index as JSON when it came encoded (an import's filled bucket), for the next snapshot only. */
  encoded?: Uint8Array
}

/** The records a change of one bucket altered (and no other), with their new summaries if the change knew them. */
export interface TouchedRecords {
  ids: Iterable<string>
  known?: ReadonlyMap<string, RecordSummary>
}

/** A bucket held as an Automerge document; `from` is the cold state it was loaded from while `doc` is still that state. */
interface HotBucket {
  doc: Automerge.Doc<BucketRoot>
  usedAt: number
  from?: { doc: Automerge.Doc<BucketRoot>; cold: ColdBucket }
}

/** The state of a bucket that never held anything (shared). */
const EMPTY: ColdBucket = { summaries: Object.freeze([]), ids: new Set<string>() }

/**
 * The vault's buckets, each either hot (an Automerge document) or cold (its
 * snapshot bytes plus the summary index saved with them). Lists, counts and
 * existence checks are answered from the index; a bucket is loaded only when a
 * record in it is read in full, edited, or merged into, and goes cold again
 * after being idle ({@link evictIdle}). Summaries of hot buckets are read from
 * their documents, so the index of a bucket is only ever used for the exact
 * state it was saved with. Buckets are any numbers (a record's id names its
 * bucket: bucket.ts); only those a change, merge or snapshot made are held;
 * `onSize` hears how many records each holds whenever that may change, and
 * `onLoad` each time a cold bucket is loaded.
 */
export class LazyBuckets {
  private readonly slots = new Map<number, ColdBucket | HotBucket>()
  private readonly summaries = new SummaryCache()
  /** The filtered lists and pages made of `list()` (kept here, beside the summaries they come from). */
  readonly view = new ListView((after) => this.summaries.changeTo(after))

  constructor(
    private readonly actorId: string,
    private readonly now: () => number = Date.now,
    private readonly onSize: (bucket: number, size: number) => void = () => {},
    private readonly onLoad: () => void = () => {},
  ) {}

  /** The buckets held (cold or loaded), ascending. */
  numbers(): number[] {
    return [...this.slots.keys()].sort((a, b) => a - b)
  }

  /** Whether the bucket is held as an Automerge document now. */
  isLoaded(bucket: number): boolean {
    return "doc" in this.slot(bucket)
  }

  /** The bucket's document, loaded from its snapshot if cold (CorruptDataError if that is unreadable); made empty if there is none. */
  doc(bucket: number): Automerge.Doc<BucketRoot> {
    const slot = this.slot(bucket)
    if ("doc" in slot) {
      slot.usedAt = this.now()
      return slot.doc
    }
    const doc = slot.saved === undefined ? Automerge.init<BucketRoot>({ actor: this.actorId }) : loadSaved(slot.saved, bucket, this.actorId)
    this.slots.set(bucket, { doc, usedAt: this.now(), from: { doc, cold: slot } })
    this.summaries.rekey(bucket, slot, doc, slot.summaries)
    Automerge.keepWasmRoom()
    this.onLoad()
    return doc
  }

  /**
   * Replaces a bucket's document (after a change or merge of `doc(bucket)`). `touched`: the
   * change altered these records and no other (with their new summaries when the caller knows
   * them), so only they are read again for the list; without it the whole bucket is.
   */
  setDoc(bucket: number, doc: Automerge.Doc<BucketRoot>, touched?: TouchedRecords): void {
    const slot = this.slot(bucket)
    if (touched !== undefined) {
      // A bucket that held nothing has no summaries cached yet: none, for the change to start from.
      if (slot === EMPTY) this.summaries.of(bucket, this.source(bucket))
      this.summaries.changed(bucket, "doc" in slot ? slot.doc : slot, doc, touched.ids, touched.known)
    }
    if ("doc" in slot) {
      if (slot.from?.doc !== doc) slot.from = undefined
      slot.doc = doc
      slot.usedAt = this.now()
    } else {
      this.slots.set(bucket, { doc, usedAt: this.now() })
    }
    Automerge.keepWasmRoom()
    this.onSize(bucket, Object.keys(doc).length)
  }

  /** Whether the bucket holds the record (trashed ones included), without loading it. */
  has(bucket: number, id: string): boolean {
    const slot = this.slot(bucket)
    return "doc" in slot ? Object.hasOwn(slot.doc, id) : slot.ids.has(id)
  }

  /** How many records the bucket holds, without loading it. */
  size(bucket: number): number {
    const slot = this.slot(bucket)
    return "doc" in slot ? Object.keys(slot.doc).length : slot.ids.size
  }

  /** Every record's summary, sorted (SummaryCache.all). */
  list(): readonly RecordSummary[] {
    return this.summaries.all([...this.slots.keys()].map((bucket): [number, SummarySource] => [bucket, this.source(bucket)]))
  }

  /**
   * Takes a decoded snapshot of a bucket: kept cold if the bucket holds nothing yet and
   * the snapshot has a sound index, else loaded (and merged into what the bucket holds).
   * Returns the ids the snapshot holds; CorruptDataError if it must be read and cannot.
   */
  install(bucket: number, snapshot: DecodedBucketSnapshot): string[] {
    const slot = this.slot(bucket)
    const empty = slot === EMPTY || ("doc" in slot && isPristine(slot.doc))
    if (empty && snapshot.summaries !== undefined) {
      const cold: ColdBucket = { saved: snapshot.saved, summaries: snapshot.summaries, ids: new Set(snapshot.summaries.map((s) => s.id)), encoded: snapshot.encodedSummaries }
      this.slots.set(bucket, cold)
      this.onSize(bucket, cold.ids.size)
      return [...cold.ids]
    }
    const loaded = loadSaved(snapshot.saved, bucket, this.actorId)
    this.setDoc(bucket, empty ? loaded : forgetLastPatch(Automerge.merge(this.doc(bucket), loaded)))
    return Object.keys(loaded)
  }

  /** The bucket as a snapshot with its index (encodeBucketSnapshot); a cold bucket is written again as it is. */
  save(bucket: number): Uint8Array {
    const slot = this.slot(bucket)
    const cold = "doc" in slot ? (slot.from?.doc === slot.doc ? slot.from.cold : undefined) : slot
    if (cold !== undefined) {
      // Used once, then encoded again each time rather than kept: at 100k records the JSON of every cold bucket's is ~30 MiB.
      const encoded = cold.encoded ?? encodeSummaries(cold.summaries)
      cold.encoded = undefined
      return encodeBucketSnapshot(cold.saved ?? emptySave(this.actorId), encoded)
    }
    const doc = this.doc(bucket)
    return encodeBucketSnapshot(Automerge.save(doc), encodeSummaries(this.summaries.of(bucket, this.source(bucket))))
  }

  /**
   * Sends loaded buckets back to their snapshot, least recently used first, freeing their Automerge
   * documents: those unused for `idleMs`, and as many more as it takes to leave `keepLoaded` loaded;
   * at most `max` in all. A bucket with changes waiting for missing dependencies stays: a save would
   * drop them. Returns how many went cold.
   */
  evictIdle(idleMs: number, max: number, keepLoaded = Infinity): number {
    const cutoff = this.now() - idleMs
    const loaded = [...this.slots]
      .map(([bucket, slot]) => ({ slot, bucket }))
      .filter((e): e is { slot: HotBucket; bucket: number } => "doc" in e.slot)
      .sort((a, b) => a.slot.usedAt - b.slot.usedAt)
    let beyond = loaded.length - keepLoaded
    let evicted = 0
    for (const { slot, bucket } of loaded) {
      if (evicted >= max || (slot.usedAt > cutoff && beyond <= 0)) break
      if (Automerge.getMissingDeps(slot.doc, []).length > 0) continue
      this.evict(bucket, slot)
      evicted += 1
      beyond -= 1
    }
    return evicted
  }

  private evict(bucket: number, slot: HotBucket): void {
    const unchanged = slot.from?.doc === slot.doc ? slot.from.cold : undefined
    const summaries = this.summaries.of(bucket, this.source(bucket))
    const cold: ColdBucket = unchanged ?? { saved: Automerge.save(slot.doc), summaries, ids: new Set(summaries.map((s) => s.id)) }
    this.slots.set(bucket, cold)
    this.summaries.rekey(bucket, slot.doc, cold, cold.summaries)
    Automerge.free(slot.doc)
  }

  /** How many buckets are held as documents. */
  get loadedCount(): number {
    return [...this.slots.values()].filter((slot) => "doc" in slot).length
  }

  /** Drops every document and snapshot held (at lock). */
  clear(): void {
    for (const slot of this.slots.values()) {
      if ("doc" in slot) Automerge.free(slot.doc)
      else slot.saved?.fill(0)
    }
    this.slots.clear()
    this.summaries.clear()
    this.view.clear()
  }

  private slot(bucket: number): ColdBucket | HotBucket {
    return this.slots.get(bucket) ?? EMPTY
  }

  private source(bucket: number): SummarySource {
    const slot = this.slot(bucket)
    if ("doc" in slot) return { key: slot.doc, read: () => summarize(slot.doc), readOne: (id) => summarizeOne(slot.doc, id) }
    return { key: slot, read: () => slot.summaries }
  }
}

function loadSaved(saved: Uint8Array, bucket: number, actor: string): Automerge.Doc<BucketRoot> {
  try {
    return forgetLastPatch(Automerge.load<BucketRoot>(saved, { actor }))
  } catch (error) {
    throw new CorruptDataError(`the snapshot of bucket ${bucket} is unreadable`, { cause: error })
  }
}

/** What save() gives for a bucket without records. */
function emptySave(actor: string): Uint8Array {
  const doc = Automerge.init<BucketRoot>({ actor })
  const saved = Automerge.save(doc)
  Automerge.free(doc)
  return saved
}

/** One record's summary in a bucket document, frozen; undefined if the bucket does not hold it. */
function summarizeOne(doc: Automerge.Doc<BucketRoot>, id: string): RecordSummary | undefined {
  return Object.hasOwn(doc, id) ? freezeSummary(toSummary(readRecord(id, doc[id]))) : undefined
}

/** The summaries of a bucket document, sorted and frozen. */
function summarize(doc: Automerge.Doc<BucketRoot>): readonly RecordSummary[] {
  return Object.freeze(Object.entries(doc).map(([id, stored]) => freezeSummary(toSummary(readRecord(id, stored)))).sort(compareSummaries))
}
