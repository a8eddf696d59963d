import { compareSummaries } from "./list-filter.js"
import { HIDDEN_KINDS } from "./types.js"
import type { RecordSummary } from "./types.js"

/** Field names whose value is a record's user name, for search. */
const USER_FIELDS = new Set(["username", "user", "login", "email", "e-mail"])
/** Field names that hold an address even when their kind is plain text. */
const URL_FIELD = /^(url|website|uri\d*|url\d*)$/i

/** A record `search` found, and where the query matched (never in a secret). */
export interface SearchHit {
  record: RecordSummary
  /** "title", "tags", "notes", or the names of the fields that matched. */
  matched: string[]
}

/**
 * The live records `query` names (DESIGN §13 QUERY): the one whose id is `query`;
 * else every record whose id starts with it, whose title equals it, or one of
 * whose URL hosts equals it (all case-insensitive; "www." ignored; a query that
 * is itself a URL is compared by host). With `trashed`, the trash is searched
 * instead, by id and id prefix only. Pure: the caller decides what zero or
 * several mean. Secret values are never looked at.
 */
export function findRecords(records: readonly RecordSummary[], query: string, options: { trashed?: boolean } = {}): RecordSummary[] {
  const wanted = query.trim().toLowerCase()
  if (wanted === "") return []
  const pool = records.filter((record) => record.trashed === (options.trashed === true))
  const exact = pool.filter((record) => record.id.toLowerCase() === wanted)
  if (exact.length > 0) return exact
  const byId = (record: RecordSummary) => record.id.toLowerCase().startsWith(wanted)
  // A trashed record is found by its id only: a title names what is in use.
  if (options.trashed) return pool.filter(byId).sort(compareSummaries)
  const host = hostOf(wanted)
  return pool
    .filter((record) => byId(record) || record.title.trim().toLowerCase() === wanted || (host !== undefined && hostsOf(record).has(host)))
    .sort(compareSummaries)
}

/**
 * Records matching every word of `query` (case-insensitive substrings) in their
 * title, tags, notes, or the values of fields that are not secret (user names,
 * URLs…). `notesOf` gives a record's notes (summaries do not carry them).
 */
export function searchRecords(records: readonly RecordSummary[], query: string, notesOf: (id: string) => string): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter((word) => word !== "")
  if (words.length === 0) return []
  const hits: SearchHit[] = []
  for (const record of records) {
    if (record.trashed) continue
    const texts = searchableTexts(record, notesOf(record.id))
    if (!words.every((word) => texts.some(([, text]) => text.includes(word)))) continue
    const matched = texts.filter(([, text]) => words.some((word) => text.includes(word))).map(([where]) => where)
    hits.push({ record, matched: [...new Set(matched)] })
  }
  return hits.sort((a, b) => rank(a) - rank(b) || compareSummaries(a.record, b.record))
}

function searchableTexts(record: RecordSummary, notes: string): Array<[string, string]> {
  const texts: Array<[string, string]> = [["title", record.title.toLowerCase()]]
  if (record.tags.length > 0) texts.push(["tags", record.tags.join(" ").toLowerCase()])
  if (notes !== "") texts.push(["notes", notes.toLowerCase()])
  for (const [name, field] of Object.entries(record.fields)) {
    if (HIDDEN_KINDS.has(field.kind) || field.value === undefined) continue
    texts.push([name, field.value.toLowerCase()])
  }
  return texts
}

/** Title hits first, then user names and URLs, then the rest. */
function rank(hit: SearchHit): number {
  if (hit.matched.includes("title")) return 0
  if (hit.matched.some((where) => USER_FIELDS.has(where.toLowerCase()) || URL_FIELD.test(where))) return 1
  return 2
}

/** The hosts of a record's URL fields, lowercased, without "www.". */
export function hostsOf(record: RecordSummary): Set<string> {
  const hosts = new Set<string>()
  for (const [name, field] of Object.entries(record.fields)) {
    if (field.value === undefined || HIDDEN_KINDS.has(field.kind)) continue
    if (field.kind !== "url" && !URL_FIELD.test(name)) continue
    const host = hostOf(field.value)
    if (host !== undefined) hosts.add(host)
  }
  return hosts
}

/** The host of a URL or bare host name ("mail.example", "https://www.mail.example/x"), or undefined. */
function hostOf(text: string): string | undefined {
  const trimmed = text.trim()
  if (trimmed === "" || /\s/.test(trimmed)) return undefined
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`)
    const host = url.hostname.toLowerCase().replace(/^www\./, "")
    return host === "" ? undefined : host
  } catch {
    return undefined
  }
}
