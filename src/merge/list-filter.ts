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
  return TITLE_COLLATOR.compare(a.title, b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}
