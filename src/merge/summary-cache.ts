import { compareSummaries } from "./list-filter.js"
import { patchSorted, type SortedDiff } from "./sorted-list.js"
import type { RecordSummary } from "./types.js"

/**
 * Above this share of records re-read, `all` sorts everything again instead of
 * merging the re-read ones into the sorted list (an Intl.Collator comparison
 * costs about a microsecond: a full sort of 10k summaries ≈ 15 ms, merging one
 * bucket's ≈ 1 ms). The same share decides, within one bucket, between merging
 * a few changed records into its sorted summaries and sorting them all.
 */
const FULL_SORT_SHARE = 0.25

/**
 * Where one bucket's summaries come from: `key` is an immutable object standing
 * for the bucket's state (its Automerge document, or the cold snapshot it waits
 * in), `read` makes its summaries, sorted and frozen; `readOne`, when the state
 * can read one record alone, makes that record's (undefined: not there).
 */
export interface SummarySource {
  key: object
  read: () => readonly RecordSummary[]
  readOne?: (id: string) => RecordSummary | undefined
}

/**
 * One bucket's summaries and the state they were read from. `dirty`: the state
 * `key` differs from the one `summaries` were read from in these records only,
 * each with its summary when the change that made it knew it (null: read it).
 */
interface BucketSummaries {
  key: object
  summaries: readonly RecordSummary[]
  dirty?: ReadonlyMap<string, RecordSummary | null>
}

/**
 * What `list` shows of every record, sorted, re-read only for buckets whose
 * state changed since the last call. Bucket documents are immutable (every
 * change, merge or load returns a new one), so "changed" is object identity:
 * no edit path, local or remote, has to remember to invalidate anything. A
 * change that says which records it touched ({@link changed}) has only those
 * re-read, so an edit costs one record's read, not its bucket's.
 */
export class SummaryCache {
  /** The newest summaries read of each bucket (buckets are any numbers: see bucket.ts). */
  private readonly read = new Map<number, BucketSummaries>()
  /** What `sorted` was built from, per bucket. */
  private readonly listed = new Map<number, BucketSummaries>()
  private sorted: readonly RecordSummary[] = []
  /** The last change of `sorted`. */
  private last: { before: readonly RecordSummary[]; after: readonly RecordSummary[]; diff: SortedDiff } | undefined

  /** One bucket's summaries, sorted and frozen: read again only if its state changed (only its changed records, if known). */
  of(bucket: number, source: SummarySource): readonly RecordSummary[] {
    const cached = this.read.get(bucket)
    if (cached?.key === source.key && cached.dirty === undefined) return cached.summaries
    const summaries = cached?.key === source.key && source.readOne !== undefined ? patched(cached, source.readOne) : source.read()
    this.read.set(bucket, { key: source.key, summaries })
    return summaries
  }

  /**
   * Tells the cache that a bucket's state `from` became `to` by a change of the
   * records `ids` alone (and of no other), whose new summaries `known` may give.
   * Unless the summaries of `from` are cached, this does nothing: `to` is then read whole.
   */
  changed(bucket: number, from: object, to: object, ids: Iterable<string>, known?: ReadonlyMap<string, RecordSummary>): void {
    const cached = this.read.get(bucket)
    if (cached?.key !== from) return
    const dirty = new Map(cached.dirty ?? [])
    for (const id of ids) dirty.set(id, known?.get(id) ?? null)
    this.read.set(bucket, { key: to, summaries: cached.summaries, dirty })
  }

  /**
   * Tells the cache that a bucket's state `from` became `to` without its records
   * changing (a cold bucket loaded, a loaded one evicted), with these summaries.
   */
  rekey(bucket: number, from: object, to: object, summaries: readonly RecordSummary[]): void {
    this.read.set(bucket, { key: to, summaries })
    const listed = this.listed.get(bucket)
    if (listed?.key === from) this.listed.set(bucket, { key: to, summaries: listed.summaries })
  }

  /** Every record's summary (trashed ones included), sorted; shared and frozen, so callers must not modify them. */
  all(sources: Iterable<[number, SummarySource]>): readonly RecordSummary[] {
    const replaced = new Set<RecordSummary>()
    const added: RecordSummary[] = []
    for (const [bucket, source] of sources) {
      const listed = this.listed.get(bucket)
      if (listed?.key === source.key) continue
      const before = listed?.summaries ?? []
      const summaries = this.of(bucket, source)
      this.listed.set(bucket, { key: source.key, summaries })
      if (before.length === 0) {
        for (const summary of summaries) added.push(summary)
        continue
      }
      // Summaries are immutable and kept when unchanged: only the ones that differ move in the sorted list.
      const now = new Set(summaries)
      const was = new Set(before)
      for (const summary of before) if (!now.has(summary)) replaced.add(summary)
      for (const summary of summaries) if (!was.has(summary)) added.push(summary)
    }
    if (replaced.size === 0 && added.length === 0) return this.sorted
    const before = this.sorted
    const diff = { removed: [...replaced], added: added.sort(compareSummaries) }
    const patched = added.length + replaced.size > FULL_SORT_SHARE * before.length ? undefined : patchSorted(before, diff)
    this.sorted = Object.freeze(patched ?? [...this.listed.values()].flatMap((entry) => entry.summaries).sort(compareSummaries))
    this.last = { before, after: this.sorted, diff }
    return this.sorted
  }

  /** How `after` (a list `all` gave, the newest) differs from the one `all` gave before it; undefined for any other. */
  changeTo(after: readonly RecordSummary[]): { before: readonly RecordSummary[]; diff: SortedDiff } | undefined {
    return this.last?.after === after ? this.last : undefined
  }

  /** Forgets everything (at lock). */
  clear(): void {
    this.read.clear()
    this.listed.clear()
    this.sorted = []
    this.last = undefined
  }
}

/** A bucket's summaries with its changed records replaced by their new summaries (known, else read). */
function patched(cached: BucketSummaries, readOne: (id: string) => RecordSummary | undefined): readonly RecordSummary[] {
  const dirty = cached.dirty!
  const fresh: RecordSummary[] = []
  for (const [id, known] of dirty) {
    const summary = known ?? readOne(id)
    if (summary !== undefined) fresh.push(summary)
  }
  const kept = cached.summaries.filter((summary) => !dirty.has(summary.id))
  if (fresh.length > FULL_SORT_SHARE * kept.length) return Object.freeze([...kept, ...fresh].sort(compareSummaries))
  return Object.freeze(patchSorted(kept, { removed: [], added: fresh.sort(compareSummaries) })!)
}
