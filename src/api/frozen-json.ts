/**
 * JSON of frozen values, kept per object: a list of 10k record summaries is
 * mostly the same frozen objects call after call (merge/SummaryCache re-reads
 * only changed buckets), so each is stringified once and a list response is a
 * join of cached strings (≈ 10× cheaper than JSON.stringify of the whole list).
 */

/** Below this many items a plain JSON.stringify is as quick. */
const MIN_CACHED_ITEMS = 64
/** Above this many items a whole list's JSON is not kept (≈ 350 B a summary: 9 MiB); a longer list is better read in pages. */
const MAX_WHOLE_CACHED_ITEMS = 25_000

const cache = new WeakMap<object, string>()
/** Whole lists, when the array itself is frozen: merge/ListView hands out the same one until a record changes. */
const lists = new WeakMap<readonly unknown[], string>()

/** The JSON of `value` if it is a long array of frozen objects (deeply frozen, as list summaries are); else undefined. */
export function frozenListJson(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length < MIN_CACHED_ITEMS) return undefined
  const whole = lists.get(value)
  if (whole !== undefined) return whole
  const json = joinItems(value)
  if (json !== undefined && Object.isFrozen(value) && value.length <= MAX_WHOLE_CACHED_ITEMS) lists.set(value, json)
  return json
}

/** The items' JSON joined, or undefined if one is not a frozen object (an item cached before was frozen then, and so still is). */
function joinItems(value: readonly unknown[]): string | undefined {
  const parts = new Array<string>(value.length)
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    let json = typeof item === "object" && item !== null ? cache.get(item) : undefined
    if (json === undefined) {
      if (typeof item !== "object" || item === null || !Object.isFrozen(item)) return undefined
      json = JSON.stringify(item)
      cache.set(item, json)
    }
    parts[i] = json
  }
  return `[${parts.join(",")}]`
}
