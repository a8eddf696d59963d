import type * as Automerge from "@automerge/automerge"
import { compareSummaries } from "./list-filter.js"
import { readRecord, toSummary, type BucketRoot } from "./stored-record.js"
import type { RecordSummary } from "./types.js"

/**
 * Above this share of records re-read, `all` sorts everything again instead of
 * merging the re-read ones into the sorted list (an Intl.Collator comparison
 * costs about a microsecond: a full sort of 10k summaries ≈ 15 ms, merging one
 * bucket's ≈ 1 ms).
 */
const FULL_SORT_SHARE = 0.25

/** One bucket's summaries, sorted, and the document they were read from. */
interface BucketSummaries {
  doc: Automerge.Doc<BucketRoot>
  summaries: readonly RecordSummary[]
}

/**
 * What `list` shows of every record, sorted, re-read only for buckets whose
 * document changed since the last call. Bucket documents are immutable (every
 * change, merge or load returns a new one), so "changed" is object identity:
 * no edit path, local or remote, has to remember to invalidate anything.
 */
export class SummaryCache {
  private readonly buckets: Array<BucketSummaries | undefined>
  private sorted: readonly RecordSummary[] = []

  constructor(bucketCount: number) {
    this.buckets = new Array<BucketSummaries | undefined>(bucketCount)
  }

  /** Every record's summary (trashed ones included), sorted; shared and frozen, so callers must not modify them. */
  all(docs: readonly Automerge.Doc<BucketRoot>[]): readonly RecordSummary[] {
    const replaced = new Set<RecordSummary>()
    const added: RecordSummary[] = []
    for (let bucket = 0; bucket < docs.length; bucket++) {
      const cached = this.buckets[bucket]
      if (cached?.doc === docs[bucket]) continue
      for (const summary of cached?.summaries ?? []) replaced.add(summary)
      const fresh = { doc: docs[bucket], summaries: summarize(docs[bucket]) }
      this.buckets[bucket] = fresh
      added.push(...fresh.summaries)
    }
    if (replaced.size === 0 && added.length === 0) return this.sorted
    if (added.length + replaced.size > FULL_SORT_SHARE * this.sorted.length) {
      this.sorted = Object.freeze(this.buckets.flatMap((entry) => entry!.summaries).sort(compareSummaries))
    } else {
      const kept = replaced.size === 0 ? this.sorted : this.sorted.filter((summary) => !replaced.has(summary))
      this.sorted = Object.freeze(mergeSorted(kept, added.sort(compareSummaries)))
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

function summarize(doc: Automerge.Doc<BucketRoot>): readonly RecordSummary[] {
  return Object.entries(doc).map(([id, stored]) => freezeSummary(toSummary(readRecord(id, stored)))).sort(compareSummaries)
}

function freezeSummary(summary: RecordSummary): RecordSummary {
  for (const field of Object.values(summary.fields)) Object.freeze(field)
  Object.freeze(summary.fields)
  Object.freeze(summary.tags)
  return Object.freeze(summary)
}
