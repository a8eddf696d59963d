/**
 * Duplicate handling of an import: only a truly identical entry is left out.
 * An entry with the same title, username and URL as another but some other
 * content (a different password, note, field or tag) is imported as its own
 * record, and the summary says so and what differs (README: "Duplicates").
 */
import type { FieldValue } from "../merge/types.js"
import type { Draft, DuplicateEntry, ExistingRecord } from "./types.js"

const SEPARATOR = "\u0000"

interface Seen {
  line?: number
  inVault: boolean
  record: Comparable
  /** contentKey(record), made once it is needed (only when another entry shares its quickKey). */
  content?: string
}

interface Comparable {
  title: string
  type?: string
  tags?: readonly string[]
  fields: Record<string, FieldValue>
  notes?: string
}

/**
 * Leaves out drafts identical to an earlier one or to a vault record (type,
 * title, every field with its kind, notes and tags equal; titles compared
 * trimmed and case-insensitively). Drafts that only share title, username and
 * URL with one are imported and listed in `kept` with what differs.
 */
export function removeDuplicates(
  drafts: readonly Draft[],
  existing: readonly ExistingRecord[],
): { kept: DuplicateEntry[]; duplicates: DuplicateEntry[]; drafts: Draft[] } {
  // Entries by a cheap key identical ones share, then by content key: the content key (the costly
  // part, a third of a 50k file's parse when made for every entry) only where a cheap key repeats.
  const byQuick = new Map<string, QuickGroup>()
  const byLogin = new Map<string, Seen>()
  const remember = (seen: Seen, quick = quickKey(seen.record)) => {
    const group = byQuick.get(quick)
    if (group === undefined) byQuick.set(quick, { only: seen })
    else {
      group.byContent ??= new Map([[contentOf(group.only!), group.only!]])
      group.only = undefined
      const content = contentOf(seen)
      if (!group.byContent.has(content)) group.byContent.set(content, seen)
    }
    const login = loginKey(seen.record)
    if (login !== undefined && !byLogin.has(login)) byLogin.set(login, seen)
  }
  for (const record of existing) remember({ inVault: true, record: { ...record, fields: record.fields ?? {} } })
  const kept: DuplicateEntry[] = []
  const duplicates: DuplicateEntry[] = []
  const imported: Draft[] = []
  for (const draft of drafts) {
    const { title } = draft.record
    const quick = quickKey(draft.record)
    const group = byQuick.get(quick)
    const content = group === undefined ? undefined : contentKey(draft.record)
    // The first one seen with this content.
    const same = group?.only !== undefined ? (contentOf(group.only) === content ? group.only : undefined) : group?.byContent?.get(content!)
    if (same !== undefined) {
      duplicates.push(entry(draft, title, `identical to ${where(same)}`))
      continue
    }
    const login = loginKey(draft.record)
    const near = login === undefined ? undefined : byLogin.get(login)
    if (near !== undefined) {
      const differs = differences(near.record, draft.record).join(", ")
      kept.push(entry(draft, title, `imported as its own record: same title, username and URL as ${where(near)}, but a different ${differs}`))
    }
    remember({ line: draft.line, inVault: false, record: draft.record, content }, quick)
    imported.push(draft)
  }
  return { kept, duplicates, drafts: imported }
}

/** Entries sharing a quickKey: the one, or (once there are several) the first of each content. */
interface QuickGroup {
  only?: Seen
  byContent?: Map<string, Seen>
}

function contentOf(seen: Seen): string {
  return (seen.content ??= contentKey(seen.record))
}

function entry(draft: Draft, title: string, reason: string): DuplicateEntry {
  return draft.line === undefined ? { title, reason } : { line: draft.line, title, reason }
}

function where(seen: Seen): string {
  if (seen.inVault) return "a record already in the vault"
  return seen.line === undefined ? "an earlier entry of the file" : `line ${seen.line}`
}

/** What differs between two records with the same login key, for the summary (never values). */
export function differences(a: Comparable, b: Comparable): string[] {
  const names = [...new Set([...Object.keys(a.fields), ...Object.keys(b.fields)])].sort()
  const parts = names.filter((name) => {
    const x = fieldOf(a.fields, name)
    const y = fieldOf(b.fields, name)
    return x?.value !== y?.value || x?.kind !== y?.kind
  })
  if (normaliseText(a.notes ?? "") !== normaliseText(b.notes ?? "")) parts.push("notes")
  if (tagsKey(a.tags) !== tagsKey(b.tags)) parts.push("tags")
  if (a.type !== undefined && b.type !== undefined && a.type !== b.type) parts.push("type")
  return parts.length === 0 ? ["content"] : parts
}

function loginKey(record: Comparable): string | undefined {
  const username = valueOf(record.fields, "username").trim()
  const url = valueOf(record.fields, "url").trim()
  if (username === "" && url === "") return undefined
  return [record.title, username, url].map((part) => part.trim().toLowerCase()).join(SEPARATOR)
}

/** What every entry with the same contentKey shares (type, title as compared, password, username): cheap to make. */
function quickKey(record: Comparable): string {
  return `${record.type ?? ""}${SEPARATOR}${record.title.trim().toLowerCase()}${SEPARATOR}${valueOf(record.fields, "password")}${SEPARATOR}${valueOf(record.fields, "username")}`
}

function contentKey(record: Comparable): string {
  const fields = Object.keys(record.fields)
    .sort()
    .map((name) => [name, fieldOf(record.fields, name)?.kind, valueOf(record.fields, name)])
  return JSON.stringify([record.type ?? "", record.title.trim().toLowerCase(), fields, normaliseText(record.notes ?? ""), tagsKey(record.tags)])
}

function tagsKey(tags: readonly string[] | undefined): string {
  return JSON.stringify([...new Set(tags ?? [])].sort())
}

function fieldOf(fields: Record<string, FieldValue>, name: string): FieldValue | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined
}

function valueOf(fields: Record<string, FieldValue>, name: string): string {
  const field = fieldOf(fields, name)
  return typeof field?.value === "string" ? field.value : ""
}

function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim()
}
