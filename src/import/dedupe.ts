/** Duplicate detection: an entry is left out when the file or the vault already holds the same login. */
import type { FieldValue, RecordInput } from "../merge/types.js"
import type { Draft, DuplicateEntry, ExistingRecord } from "./types.js"

const SEPARATOR = "\u0000"

/**
 * Keeps the first of each group of same records and reports the rest. Same means
 * title, username and url equal, compared trimmed and case-insensitively. A
 * record with neither username nor url (a note, a card) is only a duplicate when
 * its other fields and its notes are equal too, so two different notes that
 * share a title are both kept.
 */
export function removeDuplicates(
  drafts: readonly Draft[],
  existing: readonly ExistingRecord[],
): { records: RecordInput[]; duplicates: DuplicateEntry[] } {
  const seen = new Map<string, { line?: number; inVault: boolean }>()
  for (const record of existing) {
    const key = keyOf(record.title, record.fields ?? {}, record.notes)
    if (!seen.has(key)) seen.set(key, { inVault: true })
  }
  const records: RecordInput[] = []
  const duplicates: DuplicateEntry[] = []
  for (const draft of drafts) {
    const { title, fields, notes } = draft.record
    const key = keyOf(title, fields, notes)
    const first = seen.get(key)
    if (first === undefined) {
      seen.set(key, { line: draft.line, inVault: false })
      records.push(draft.record)
      continue
    }
    const reason = duplicateReason(first, isLoginKey(fields))
    duplicates.push(draft.line === undefined ? { title, reason } : { line: draft.line, title, reason })
  }
  return { records, duplicates }
}

function duplicateReason(first: { line?: number; inVault: boolean }, login: boolean): string {
  const what = login ? "the same title, username and URL" : "the same title and content"
  if (first.inVault) return `the vault already has a record with ${what}`
  return `${what} as ${first.line === undefined ? "an earlier entry" : `line ${first.line}`}`
}

function isLoginKey(fields: Record<string, FieldValue>): boolean {
  return valueOf(fields, "username").trim() !== "" || valueOf(fields, "url").trim() !== ""
}

function keyOf(title: string, fields: Record<string, FieldValue>, notes: string | undefined): string {
  const parts = [title, valueOf(fields, "username"), valueOf(fields, "url")].map(normalise)
  if (!isLoginKey(fields)) parts.push(contentOf(fields), notes ?? "")
  return parts.join(SEPARATOR)
}

function contentOf(fields: Record<string, FieldValue>): string {
  const entries = Object.keys(fields)
    .sort()
    .map((name) => [name, valueOf(fields, name)])
  return JSON.stringify(entries)
}

function valueOf(fields: Record<string, FieldValue>, name: string): string {
  const field = Object.hasOwn(fields, name) ? fields[name] : undefined
  return typeof field?.value === "string" ? field.value : ""
}

function normalise(text: string): string {
  return text.trim().toLowerCase()
}
