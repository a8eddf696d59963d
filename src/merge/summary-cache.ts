import { compareSummaries } from "./list-filter.js"
import type { RecordSummary } from "./types.js"

/**
 * Above this share of records re-read, `all` sorts everything again instead of
 * merging the re-read ones into the sorted list (an Intl.Collator comparison
 * costs about a microsecond: a full sort of 10k summaries ≈ 15 ms, merging one
 * bucket's ≈ 1 ms).
 */
const FULL_SORT_SHARE = 0.25

/**
 * Where one bucket's summaries come from: `key` is an immutable object standing
 * for the bucket's state (its Automerge document, or the cold snapshot it waits
 * in), `read` makes its summaries, sorted and frozen.
 */
export interface SummarySource {
  key: object
  read: () => readonly RecordSummary[]
}

/** One bucket's summaries, sorted, and the state they were read from. */
interface BucketSummaries {
  key: object
  summaries: readonly RecordSummary[]
}

/**
 * What `list` shows of every record, sorted, re-read only for buckets whose
 * state changed since the last call. Bucket documents are immutable (every
 * change, merge or load returns a new one), so "changed" is object identity:
 * no edit path, local or remote, has to remember to invalidate anything.
 */
export class SummaryCache {
  /** The newest summaries read of each bucket (buckets are any numbers: see bucket.ts). */
  private readonly read = new Map<number, BucketSummaries>()
  /** What `sorted` was built from, per bucket. */
  private readonly listed = new Map<number, BucketSummaries>()
  private sorted: readonly RecordSummary[] = []

  /** One bucket's summaries, sorted and frozen: read again only if its state changed. */
  of(bucket: number, source: SummarySource): readonly RecordSummary[] {
    const cached = this.read.get(bucket)
    if (cached?.key === source.key) return cached.summaries
    const fresh = { key: source.key, summaries: source.read() }
    this.read.set(bucket, fresh)
    return fresh.summaries
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
      for (const summary of listed?.summaries ?? []) replaced.add(summary)
      const summaries = this.of(bucket, source)
      this.listed.set(bucket, { key: source.key, summaries })
      added.push(...summaries)
    }
    if (replaced.size === 0 && added.length === 0) return this.sorted
    if (added.length + replaced.size > FULL_SORT_SHARE * this.sorted.length) {
      this.sorted = Object.freeze([...this.listed.values()].flatMap((entry) => entry.summaries).sort(compareSummaries))
    } else {
      const kept = replaced.size === 0 ? this.sorted : this.sorted.filter((summary) => !replaced.has(summary))
      this.sorted = Object.freeze(mergeSorted(kept, [...added].sort(compareSummaries)))
    }
    return this.sorted
  }
}

/** Both sorted lists as one: a binary search in `base` per item of `extra`. */
function mergeSorted(base: readonly RecordSummary[], extra: readonly RecordSummary[]): RecordSummary[] {
  const merged: RecordSummary[] = []
  let from = 0
  for (const item of extra) {
    let low = from
    let high = base.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compareSummaries(base[middle], item) <= 0) low = middle + 1
      else high = middle
    }
    while (from < low) merged.push(base[from++])
    merged.push(item)
  }
  while (from < base.length) merged.push(base[from++])
  return merged
}
