/**
 * Work over every record done in slices of about SLICE_MS, with a turn of the
 * event loop between them, so the daemon answers its socket and its peers while
 * an import or export gathers records (issue 18: never deaf).
 */
import { performance } from "node:perf_hooks"
import { setImmediate as nextTurn } from "node:timers/promises"
import { bucketOf, DEFAULT_BUCKET_COUNT } from "../merge/bucket.js"

/** How long one slice may hold the event loop. */
export const SLICE_MS = 25

/**
 * `items.map(map)`, yielding to the event loop whenever a slice has run SLICE_MS.
 * The clock is read after every item: one item may load a cold bucket (several
 * ms), and an export touches a different bucket with nearly every record.
 */
export async function mapInSlices<T, U>(items: readonly T[], map: (item: T) => U, progress?: (done: number, total: number) => void): Promise<U[]> {
  const out: U[] = []
  let sliceStart = performance.now()
  for (let i = 0; i < items.length; i++) {
    out.push(map(items[i]))
    if (performance.now() - sliceStart >= SLICE_MS) {
      progress?.(i + 1, items.length)
      await nextTurn()
      sliceStart = performance.now()
    }
  }
  progress?.(items.length, items.length)
  return out
}

/**
 * `mapInSlices` over records, `map` called bucket by bucket (the bucket each id
 * names, or its hash over the usual 64), the results in `records`' order. An
 * export or an import's duplicate check reads every record: in list order nearly
 * every record is in another bucket, and with at most 128 buckets loaded
 * (vault/bucket-eviction.ts) a bucket sent back between two slices was soon loaded
 * again; bucket by bucket each is loaded once.
 */
export async function mapRecordsInSlices<T extends { id: string }, U>(records: readonly T[], map: (record: T) => U, progress?: (done: number, total: number) => void): Promise<U[]> {
  const order = records.map((record, index) => ({ record, index, bucket: bucketOf(record.id, DEFAULT_BUCKET_COUNT) })).sort((a, b) => a.bucket - b.bucket)
  const out = new Array<U>(records.length)
  await mapInSlices(order, ({ record, index }) => (out[index] = map(record)), progress)
  return out
}
