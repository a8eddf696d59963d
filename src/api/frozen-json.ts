/**
 * JSON of frozen values, kept per object: a list of 10k record summaries is
 * mostly the same frozen objects call after call (merge/SummaryCache re-reads
 * only changed buckets), so each is stringified once and a list response is a
 * join of cached strings (≈ 10× cheaper than JSON.stringify of the whole list).
 * The JSON is kept ASCII (every other character as its `\uXXXX` escape, which
 * JSON.parse reads back as the same string): a whole list is then written to
 * the socket as bytes with no UTF-8 encoding, and a client decodes it as
 * one-byte text (≈ 3× quicker than a string holding one `ü`; 3.5 MB at 10k).
 * Summaries asked for as rows (summary-rows.ts) are cached the same way, apart.
 */
import type { RecordSummary } from "../merge/types.js"
import { summaryRow, summaryRowJson } from "./summary-rows.js"

/** Below this many items a plain JSON.stringify is as quick. */
const MIN_CACHED_ITEMS = 64
/** Above this many items a whole list's JSON is not kept (≈ 350 B a summary: 9 MiB); a longer list is better read in pages. */
const MAX_WHOLE_CACHED_ITEMS = 25_000
const NON_ASCII = /[\u0080-\uffff]/g
const HEX = 16
const ESCAPE_DIGITS = 4

/** How one item becomes JSON, with its caches: per frozen item, and per frozen whole list (as ASCII bytes). */
interface ItemEncoding {
  encode: (item: object) => string
  items: WeakMap<object, string>
  lists: WeakMap<readonly unknown[], Buffer>
}

/** Items as JSON objects (JSON.stringify's form). */
const OBJECTS: ItemEncoding = { encode: (item) => JSON.stringify(item), items: new WeakMap(), lists: new WeakMap() }
/** Record summaries as rows (summary-rows.ts). */
const ROWS: ItemEncoding = { encode: (item) => summaryRowJson(item as RecordSummary), items: new WeakMap(), lists: new WeakMap() }

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
  return listBytes(OBJECTS, value, true)
}

/**
 * The first and last summaries of lists whose rows were encoded whole (none cached one by one): a later list that
 * starts or ends with one of them is the next of the same session (an unlock's summaries are all new objects).
 */
const ENCODED_WHOLE = new WeakSet<RecordSummary>()

/**
 * The ASCII JSON array of `summaries`' rows (summary-rows.ts), as bytes: joined from
 * each frozen summary's cached row, the whole kept while a frozen array lives. A list
 * none of whose rows is known (the first after an unlock, on a new device's way to its
 * records) is encoded in one JSON.stringify, twice as quick while the code is cold
 * (10k: ≈ 25 against 48 ms of CPU); the next list of those summaries caches its rows one by one.
 */
export function summaryRowsBytes(summaries: readonly RecordSummary[]): Buffer {
  const whole = ROWS.lists.get(summaries)
  if (whole !== undefined) return whole
  if (summaries.length === 0 || !unseenRows(summaries)) return listBytes(ROWS, summaries, false)!
  ENCODED_WHOLE.add(summaries[0]).add(summaries[summaries.length - 1])
  return keepWhole(ROWS, summaries, Buffer.from(asciiJson(JSON.stringify(summaries.map(summaryRow))), "latin1"))
}

/** Whether neither end of the list has its row cached or was at an end of a list encoded whole. */
function unseenRows(summaries: readonly RecordSummary[]): boolean {
  const first = summaries[0]
  const last = summaries[summaries.length - 1]
  return !ROWS.items.has(first) && !ENCODED_WHOLE.has(first) && !ROWS.items.has(last) && !ENCODED_WHOLE.has(last)
}

/** The list's bytes from its items' cached JSON; undefined if `frozenOnly` and an item is not a frozen object. */
function listBytes(encoding: ItemEncoding, value: readonly unknown[], frozenOnly: boolean): Buffer | undefined {
  const whole = encoding.lists.get(value)
  if (whole !== undefined) return whole
  const json = joinItems(encoding, value, frozenOnly)
  return json === undefined ? undefined : keepWhole(encoding, value, Buffer.from(json, "latin1"))
}

/** `bytes`, kept as the list's while its (frozen) array lives. */
function keepWhole(encoding: ItemEncoding, value: readonly unknown[], bytes: Buffer): Buffer {
  if (Object.isFrozen(value) && value.length <= MAX_WHOLE_CACHED_ITEMS) encoding.lists.set(value, bytes)
  return bytes
}

/** The items' ASCII JSON joined, or undefined if `frozenOnly` and one is not a frozen object (an item cached before was frozen then, and so still is). */
function joinItems(encoding: ItemEncoding, value: readonly unknown[], frozenOnly: boolean): string | undefined {
  const parts = new Array<string>(value.length)
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    let json = typeof item === "object" && item !== null ? encoding.items.get(item) : undefined
    if (json === undefined) {
      const frozen = typeof item === "object" && item !== null && Object.isFrozen(item)
      if (!frozen && frozenOnly) return undefined
      json = asciiJson(encoding.encode(item as object))
      if (frozen) encoding.items.set(item, json)
    }
    parts[i] = json
  }
  return `[${parts.join(",")}]`
}
