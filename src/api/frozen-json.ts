/**
 * JSON of frozen values, kept per object: a list of 10k record summaries is
 * mostly the same frozen objects call after call (merge/SummaryCache re-reads
 * only changed buckets), so each is stringified once and a list response is a
 * join of cached strings (≈ 10× cheaper than JSON.stringify of the whole list).
 * The JSON is kept ASCII (every other character as its `\uXXXX` escape, which
 * JSON.parse reads back as the same string): a whole list is then written to
 * the socket as bytes with no UTF-8 encoding, and a client decodes it as
 * one-byte text (≈ 3× quicker than a string holding one `ü`; 3.5 MB at 10k).
 */

/** Below this many items a plain JSON.stringify is as quick. */
const MIN_CACHED_ITEMS = 64
/** Above this many items a whole list's JSON is not kept (≈ 350 B a summary: 9 MiB); a longer list is better read in pages. */
const MAX_WHOLE_CACHED_ITEMS = 25_000
const NON_ASCII = /[\u0080-\uffff]/g
const HEX = 16
const ESCAPE_DIGITS = 4

const cache = new WeakMap<object, string>()
/** Whole lists as ASCII bytes, when the array itself is frozen: merge/ListView hands out the same one until a record changes. */
const lists = new WeakMap<readonly unknown[], Buffer>()

/** `json` with every non-ASCII character escaped (`\uXXXX`; a pair for a character beyond U+FFFF): equal for JSON.parse. */
export function asciiJson(json: string): string {
  NON_ASCII.lastIndex = 0
  if (!NON_ASCII.test(json)) return json
  return json.replace(NON_ASCII, (char) => `\\u${char.charCodeAt(0).toString(HEX).padStart(ESCAPE_DIGITS, "0")}`)
}

/** The ASCII JSON of `value` if it is a long array of frozen objects (deeply frozen, as list summaries are); else undefined. */
export function frozenListJson(value: unknown): string | undefined {
  return frozenListBytes(value)?.toString("latin1")
}

/** {@link frozenListJson} as bytes (ASCII), the whole list's kept while the frozen array lives: what the socket writes. */
export function frozenListBytes(value: unknown): Buffer | undefined {
  if (!Array.isArray(value) || value.length < MIN_CACHED_ITEMS) return undefined
  const whole = lists.get(value)
  if (whole !== undefined) return whole
  const json = joinItems(value)
  if (json === undefined) return undefined
  const bytes = Buffer.from(json, "latin1")
  if (Object.isFrozen(value) && value.length <= MAX_WHOLE_CACHED_ITEMS) lists.set(value, bytes)
  return bytes
}

/** The items' ASCII JSON joined, or undefined if one is not a frozen object (an item cached before was frozen then, and so still is). */
function joinItems(value: readonly unknown[]): string | undefined {
  const parts = new Array<string>(value.length)
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    let json = typeof item === "object" && item !== null ? cache.get(item) : undefined
    if (json === undefined) {
      if (typeof item !== "object" || item === null || !Object.isFrozen(item)) return undefined
      json = asciiJson(JSON.stringify(item))
      cache.set(item, json)
    }
    parts[i] = json
  }
  return `[${parts.join(",")}]`
}
