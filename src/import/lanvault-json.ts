/**
 * lanvault's own JSON export (what `exportRecords(…, "json")` writes):
 * `{ "format": "lanvault-export", "version": 1, "exportedAt": ISO date,
 * "records": [{ type, title, fields: { name: { value, kind } }, notes, tags,
 * favorite, createdAt, updatedAt, trashed? }] }`. Record ids are left out, so an
 * import creates new records. Re-import is lossless for what a record is made of
 * (type, title, fields with kinds, notes, tags, favorite, created and updated
 * times, and `history` when the export has it); records that were in the trash
 * are skipped with a reason.
 */
import { LanvaultError } from "../errors.js"
import { FIELD_KINDS, type FieldKind, type FieldValue, type HistoryEntry } from "../merge/types.js"
import { setOwn } from "../own-property.js"
import { asObject, parseJsonText } from "./json-text.js"
import { saneTime } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

/** The `format` marker of a lanvault export. */
export const LANVAULT_EXPORT_FORMAT = "lanvault-export"
/** The export version this code writes and reads. */
export const LANVAULT_EXPORT_VERSION = 1

const FORMAT = "json (lanvault export)"

/** Parses a lanvault JSON export; any malformed record fails the whole import. */
export function parseLanvaultJson(text: string): FormatOutput {
  const root = asObject(parseJsonText(text, FORMAT))
  if (root === undefined || root.format !== LANVAULT_EXPORT_FORMAT) {
    throw failure(`not a lanvault export: "format" is not "${LANVAULT_EXPORT_FORMAT}"`)
  }
  if (root.version !== LANVAULT_EXPORT_VERSION) {
    throw failure(`lanvault export version ${typeof root.version === "number" ? root.version : "(none)"} is not supported: this lanvault reads version ${LANVAULT_EXPORT_VERSION}; update lanvault`)
  }
  if (!Array.isArray(root.records)) throw failure('not a lanvault export: it has no "records" list')
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  root.records.forEach((value, index) => {
    const record = asObject(value)
    const where = `record ${index + 1}`
    if (record === undefined) throw failure(`${where} is not an object: the file is damaged`)
    const draft = recordDraft(record, where)
    if (record.trashed === true) skipped.push({ title: draft.record.title, reason: "was in the trash when exported" })
    else drafts.push(draft)
  })
  return { drafts, skipped }
}

function recordDraft(record: Record<string, unknown>, where: string): Draft {
  const { type, title, notes, tags, favorite } = record
  if (typeof type !== "string" || type === "") throw failure(`${where}: "type" must be a non-empty string`)
  if (typeof title !== "string") throw failure(`${where}: "title" must be a string`)
  if (notes !== undefined && typeof notes !== "string") throw failure(`${where}: "notes" must be a string`)
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === "string"))) {
    throw failure(`${where}: "tags" must be a list of strings`)
  }
  if (favorite !== undefined && typeof favorite !== "boolean") throw failure(`${where}: "favorite" must be true or false`)
  // Not draftOf: a lanvault export is taken as it is (titles and tags untrimmed).
  const draft: Draft = {
    record: { type, title, fields: readFieldMap(record.fields ?? {}, where), notes: notes ?? "", tags: [...(tags ?? [])], favorite: favorite ?? false },
  }
  const createdAt = saneTime(typeof record.createdAt === "number" ? record.createdAt : undefined)
  const updatedAt = saneTime(typeof record.updatedAt === "number" ? record.updatedAt : undefined)
  if (createdAt !== undefined) draft.record.createdAt = createdAt
  if (updatedAt !== undefined) draft.record.updatedAt = updatedAt
  const history = readHistory(record.history, where)
  if (history.length > 0) draft.record.history = history
  return draft
}

function readHistory(value: unknown, where: string): HistoryEntry[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw failure(`${where}: "history" must be a list`)
  return value.map((raw, index) => {
    const entry = asObject(raw)
    const { field, value: text, kind, changedAt, reason } = entry ?? {}
    const reasonOk = reason === "edited" || reason === "removed" || reason === "conflict"
    if (typeof field !== "string" || typeof text !== "string" || !isFieldKind(kind) || typeof changedAt !== "number" || !reasonOk) {
      throw failure(`${where}: history entry ${index + 1} must be { field, value, kind, changedAt, reason }`)
    }
    return { field, value: text, kind, changedAt, reason }
  })
}

/**
 * Checks a `{ name: { value, kind } }` map from a lanvault export and copies it
 * (only `value` and `kind` are kept). Throws `IMPORT_FAILED` saying where.
 */
export function readFieldMap(value: unknown, where: string): Record<string, FieldValue> {
  const map = asObject(value)
  if (map === undefined) throw failure(`${where}: "fields" must be an object`)
  const fields: Record<string, FieldValue> = {}
  for (const [name, entry] of Object.entries(map)) {
    const field = asObject(entry)
    if (typeof field?.value !== "string" || !isFieldKind(field.kind)) {
      throw failure(`${where}: field ${JSON.stringify(name)} must be { "value": string, "kind": one of ${FIELD_KINDS.join(", ")} }`)
    }
    setOwn(fields, name, { value: field.value, kind: field.kind })
  }
  return fields
}

function isFieldKind(kind: unknown): kind is FieldKind {
  return typeof kind === "string" && (FIELD_KINDS as readonly string[]).includes(kind)
}

function failure(message: string): LanvaultError {
  return new LanvaultError("IMPORT_FAILED", message)
}
