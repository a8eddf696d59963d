import { HIDDEN_KINDS, type ListFilter, type RecordSummary } from "./types.js"

// A fixed locale: every device sorts the same way, whatever its settings.
const TITLE_COLLATOR = new Intl.Collator("en", { sensitivity: "base", numeric: true })

/**
 * Whether a record passes a list filter. The query matches, case-insensitively,
 * the title, tags and values of fields that are not secret: a search never
 * reveals which record holds a given password. Takes a summary (or a whole
 * record): the query never needs more than a summary shows.
 */
export function matchesFilter(record: RecordSummary, filter: ListFilter): boolean {
  if (record.trashed !== (filter.trash === true)) return false
  if (filter.type !== undefined && record.type !== filter.type) return false
  if (filter.tag !== undefined) {
    const tag = filter.tag.toLowerCase()
    if (!record.tags.some((t) => t.toLowerCase() === tag)) return false
  }
  if (filter.query === undefined || filter.query === "") return true
  const query = filter.query.toLowerCase()
  if (record.title.toLowerCase().includes(query)) return true
  if (record.tags.some((t) => t.toLowerCase().includes(query))) return true
  return Object.values(record.fields).some((f) => !HIDDEN_KINDS.has(f.kind) && f.value !== undefined && f.value.toLowerCase().includes(query))
}

/** Order of `list`: by title, then by id so equal titles order the same everywhere. */
export function compareSummaries(a: RecordSummary, b: RecordSummary): number {
  return compareTitles(a.title, b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/**
 * TITLE_COLLATOR's comparison (its sign), made without ICU while both titles are
 * printable ASCII up to where they differ (most titles): ICU costs about a
 * microsecond a comparison, which made sorting 100k titles take a second. At
 * base strength with numeric order, ICU's root order of those characters is one
 * weight per character (ROOT_ORDER; letters without case) and one per run of
 * digits, runs compared as numbers (leading zeros ignored). Any other character
 * met before the titles differ, or a long run of digits, goes to ICU. A unit test
 * checks this against the collator.
 */
export function compareTitles(a: string, b: string): number {
  const plain = comparePlain(a, b)
  return plain === UNDECIDED ? TITLE_COLLATOR.compare(a, b) : plain
}

/** ICU's root order of printable ASCII at base strength: a character's weight is its place here (lowercase as uppercase). */
const ROOT_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
const TITLE_WEIGHTS = new Int16Array(128).fill(-1)
for (let i = 0; i < ROOT_ORDER.length; i++) TITLE_WEIGHTS[ROOT_ORDER.charCodeAt(i)] = i
for (let code = 0x61; code <= 0x7a; code++) TITLE_WEIGHTS[code] = TITLE_WEIGHTS[code - 0x20]
const DIGITS_WEIGHT = TITLE_WEIGHTS[0x30]
/** Longer runs of digits go to ICU (whose numeric order has limits of its own). */
const MAX_PLAIN_DIGITS = 15
/** What comparePlain gives when ICU must decide. */
const UNDECIDED = 2

/** The order of two titles by ROOT_ORDER, or UNDECIDED. */
function comparePlain(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(j)
    if (!isPlain(x) || !isPlain(y)) return UNDECIDED
    if (isDigit(x) && isDigit(y)) {
      const endA = digitsEnd(a, i)
      const endB = digitsEnd(b, j)
      if (endA < 0 || endB < 0) return UNDECIDED
      const order = compareNumbers(a, i, endA, b, j, endB)
      if (order !== 0) return order
      i = endA
      j = endB
    } else {
      if (x !== y) {
        const weightX = isDigit(x) ? DIGITS_WEIGHT : TITLE_WEIGHTS[x]
        const weightY = isDigit(y) ? DIGITS_WEIGHT : TITLE_WEIGHTS[y]
        if (weightX !== weightY) return weightX < weightY ? -1 : 1
      }
      i += 1
      j += 1
    }
  }
  // One is a prefix of the other: the longer comes after, unless what follows is for ICU to weigh (an ignorable character has none).
  if (!plainFrom(a, i) || !plainFrom(b, j)) return UNDECIDED
  return i < a.length ? 1 : j < b.length ? -1 : 0
}

/** The end of the run of digits at `at`, or -1 if it is too long or a character ICU must weigh follows it. */
function digitsEnd(text: string, at: number): number {
  let end = at
  while (end < text.length && isDigit(text.charCodeAt(end))) end += 1
  if (end - at > MAX_PLAIN_DIGITS || (end < text.length && !isPlain(text.charCodeAt(end)))) return -1
  return end
}

/** The order of two runs of digits as numbers. */
function compareNumbers(a: string, fromA: number, endA: number, b: string, fromB: number, endB: number): number {
  while (fromA < endA && a.charCodeAt(fromA) === 0x30) fromA += 1
  while (fromB < endB && b.charCodeAt(fromB) === 0x30) fromB += 1
  if (endA - fromA !== endB - fromB) return endA - fromA < endB - fromB ? -1 : 1
  for (; fromA < endA; fromA += 1, fromB += 1) {
    const difference = a.charCodeAt(fromA) - b.charCodeAt(fromB)
    if (difference !== 0) return difference < 0 ? -1 : 1
  }
  return 0
}

function plainFrom(text: string, at: number): boolean {
  for (let i = at; i < text.length; i++) if (!isPlain(text.charCodeAt(i))) return false
  return true
}

function isPlain(code: number): boolean {
  return code >= 0x20 && code <= 0x7e
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}
