import { InvalidParamsError } from "../errors.js"
import { matchesFilter } from "./list-filter.js"
import { indexAfter, patchSorted, type SortedDiff } from "./sorted-list.js"
import { MAX_PAGE_RECORDS, type ListFilter, type RecordPage, type RecordSummary } from "./types.js"

/** Filtered lists kept per sorted list (one per filter asked for; a few filters are in use at once). */
const MAX_CACHED_VIEWS = 8

/** What a list leaves out besides its filter: records of these types unless the filter names a type. */
export interface ListScope {
  hiddenTypes?: ReadonlySet<string>
}

/** Where a page starts: after the record of this title and id in list order. */
interface CursorKey {
  title: string
  id: string
}

/**
 * The lists `records.list` gives, from the sorted summaries of every record:
 * a filtered list is made once per state of the vault and shared (frozen: the
 * API caches its JSON by identity), and pages are read from it or, for a filter
 * not listed whole yet, by scanning from the cursor. A cursor names the last
 * record shown by its title and id (list order), not by a position: records
 * added or removed before it do not shift the next page.
 */
export class ListView {
  private sorted: readonly RecordSummary[] | undefined
  private readonly views = new Map<string, { list: readonly RecordSummary[]; passes: (summary: RecordSummary) => boolean }>()

  /** `changeTo`: how a sorted list differs from the one before it, when known (SummaryCache.changeTo). */
  constructor(private readonly changeTo: (after: readonly RecordSummary[]) => { before: readonly RecordSummary[]; diff: SortedDiff } | undefined = () => undefined) {}

  /** Every record the filter and scope let through, in list order; the same frozen array while nothing changed. */
  list(sorted: readonly RecordSummary[], filter: ListFilter, scope: ListScope = {}): readonly RecordSummary[] {
    this.follow(sorted)
    const key = viewKey(filter, scope)
    const cached = this.views.get(key)
    if (cached !== undefined) return cached.list
    const passes = predicate(filter, scope)
    const list = Object.freeze(sorted.filter(passes))
    if (this.views.size >= MAX_CACHED_VIEWS) this.views.delete(this.views.keys().next().value!)
    this.views.set(key, { list, passes })
    return list
  }

  /** At most `limit` records of the list after `cursor` (from the start without one); INVALID_PARAMS for a cursor not made here. */
  page(sorted: readonly RecordSummary[], filter: ListFilter, limit: number, cursor?: string, scope: ListScope = {}): RecordPage {
    checkLimit(limit)
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    this.follow(sorted)
    const view = this.views.get(viewKey(filter, scope))?.list
    const pool = view ?? sorted
    const passes = view === undefined ? predicate(filter, scope) : () => true
    const records: RecordSummary[] = []
    // One more than asked: whether it exists says if there is a next page.
    for (let i = after === undefined ? 0 : indexAfter(pool, after); i < pool.length && records.length <= limit; i++) {
      if (passes(pool[i])) records.push(pool[i])
    }
    if (records.length <= limit) return { records }
    records.length = limit
    return { records, next: encodeCursor(records[limit - 1]) }
  }

  /** Forgets every list (at lock). */
  clear(): void {
    this.sorted = undefined
    this.views.clear()
  }

  /** Moves the views to `sorted`: each patched with what changed (a few binary searches and a copy) when that is known, else dropped. */
  private follow(sorted: readonly RecordSummary[]): void {
    if (this.sorted === sorted) return
    const change = this.changeTo(sorted)
    const known = change !== undefined && change.before === this.sorted
    this.sorted = sorted
    for (const [key, view] of [...this.views]) {
      const patched = known ? patchSorted(view.list, { removed: change.diff.removed.filter(view.passes), added: change.diff.added.filter(view.passes) }) : undefined
      if (patched === undefined) this.views.delete(key)
      else this.views.set(key, { list: Object.freeze(patched), passes: view.passes })
    }
  }
}

function predicate(filter: ListFilter, scope: ListScope): (summary: RecordSummary) => boolean {
  const hidden = filter.type === undefined ? scope.hiddenTypes : undefined
  if (hidden === undefined || hidden.size === 0) return (summary) => matchesFilter(summary, filter)
  return (summary) => !hidden.has(summary.type) && matchesFilter(summary, filter)
}

function viewKey(filter: ListFilter, scope: ListScope): string {
  return JSON.stringify([filter.query ?? "", filter.type ?? null, filter.tag ?? null, filter.trash === true, [...scope.hiddenTypes ?? []]])
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_RECORDS) {
    throw new InvalidParamsError(`"limit" must be a whole number from 1 to ${MAX_PAGE_RECORDS}`)
  }
}

/** A cursor: the title and id of the last record of a page, as base64url JSON (opaque to clients). */
export function encodeCursor(last: Pick<RecordSummary, "title" | "id">): string {
  return Buffer.from(JSON.stringify([last.title, last.id]), "utf8").toString("base64url")
}

function decodeCursor(cursor: string): CursorKey {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
  } catch {
    parsed = undefined
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== "string" || typeof parsed[1] !== "string") {
    throw new InvalidParamsError('"cursor" is not a cursor records.list gave: pass the "next" of the page before')
  }
  return { title: parsed[0], id: parsed[1] }
}
