import { compareSummaries } from "./list-filter.js"
import type { RecordSummary } from "./types.js"

/**
 * Edits of a list sorted by compareSummaries (the list order) that cost a binary
 * search per changed item and one copy of the list, never a comparison per item
 * of it: an Intl.Collator comparison costs about a microsecond, so at 100k
 * records a filter or merge that compares everything costs tens of milliseconds.
 */

/** What changed between two sorted lists: items gone from the first, items new in the second (sorted). */
export interface SortedDiff {
  removed: readonly RecordSummary[]
  added: readonly RecordSummary[]
}

/** The first index whose item comes after `item` in list order (after every equal one). */
export function indexAfter(list: readonly RecordSummary[], item: Pick<RecordSummary, "title" | "id">): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareSummaries(list[middle], item as RecordSummary) <= 0) low = middle + 1
    else high = middle
  }
  return low
}

/** The first index whose item does not come before `item` in list order. */
function indexOf(list: readonly RecordSummary[], item: RecordSummary): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareSummaries(list[middle], item) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * `list` without the `removed` items and with the `added` ones (sorted) in their
 * places. Undefined if a removed item is not in the list (the caller builds the
 * list again instead).
 */
export function patchSorted(list: readonly RecordSummary[], diff: SortedDiff): RecordSummary[] | undefined {
  const removeAt: number[] = []
  for (const item of diff.removed) {
    const at = indexOf(list, item)
    if (list[at] !== item) return undefined
    removeAt.push(at)
  }
  removeAt.sort((a, b) => a - b)
  const insertAt = diff.added.map((item) => indexAfter(list, item))
  const patched: RecordSummary[] = []
  let next = 0
  let removal = 0
  let insertion = 0
  while (next < list.length || insertion < diff.added.length) {
    // Added items go before list[next] when everything up to it comes first; removed ones are skipped.
    if (insertion < diff.added.length && insertAt[insertion] <= next) patched.push(diff.added[insertion++])
    else if (removal < removeAt.length && removeAt[removal] === next) {
      removal += 1
      next += 1
    } else patched.push(list[next++])
  }
  return patched
}
