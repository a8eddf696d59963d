/** The record model (DESIGN §5) as plain data: what merge/ returns and the API carries. */

/** What a field holds; `secret` values are never listed, only shown with `get --reveal`. */
export type FieldKind = "text" | "secret" | "url" | "email" | "phone" | "totp" | "number" | "date"

export const FIELD_KINDS: readonly FieldKind[] = ["text", "secret", "url", "email", "phone", "totp", "number", "date"]

/** Kinds whose values `list` leaves out (a TOTP seed yields codes, so it is a secret too). Here, not in stored-record.ts: queries need it without loading Automerge. */
export const HIDDEN_KINDS: ReadonlySet<FieldKind> = new Set<FieldKind>(["secret", "totp"])

/** Record types people keep; other strings are allowed and shown as they are. */
export const RECORD_TYPES = ["login", "card", "note", "identity", "wifi", "ssh-key", "document"] as const

export interface FieldValue {
  value: string
  kind: FieldKind
}

export interface VaultRecord {
  id: string
  type: string
  title: string
  fields: Record<string, FieldValue>
  notes: string
  tags: string[]
  favorite: boolean
  trashed: boolean
  createdAt: number
  updatedAt: number
}

/** A record as `records.list` shows it: secret field values are left out. */
export interface RecordSummary extends Omit<VaultRecord, "fields" | "notes"> {
  fields: Record<string, { kind: FieldKind; value?: string }>
}

/** What a create takes; omitted parts get defaults (no fields, empty notes…). */
export interface RecordInput {
  type: string
  title: string
  fields?: Record<string, FieldValue>
  notes?: string
  tags?: string[]
  favorite?: boolean
  /** When the record was made (ms since 1970); an import keeps the source's date. Default: now. */
  createdAt?: number
  /** When it last changed; default: `createdAt`, else now. */
  updatedAt?: number
  /** Earlier values (an import's password history), newest first. */
  history?: HistoryEntry[]
}

/** What an update sets; `fields` entries replace whole fields, `unset` removes fields by name. */
export interface RecordPatch {
  set?: {
    type?: string
    title?: string
    notes?: string
    tags?: string[]
    favorite?: boolean
    trashed?: boolean
    fields?: Record<string, FieldValue>
  }
  unset?: string[]
}

/** A value a field no longer holds: overwritten, removed, or the loser of a concurrent edit. */
export interface HistoryEntry {
  field: string
  value: string
  kind: FieldKind
  /** When it stopped being current (ms since epoch); for conflict losers, when it was written. */
  changedAt: number
  reason: "edited" | "removed" | "conflict"
  /** The device that wrote this value (its Automerge actor); absent for imported values and entries from before it was kept. */
  deviceId?: string
}

export interface ListFilter {
  query?: string
  type?: string
  tag?: string
  /** true: only trashed records; false/undefined: only records not in the trash. */
  trash?: boolean
}

/** The most records one `records.list` page may ask for (`limit`). */
export const MAX_PAGE_RECORDS = 100_000

/** One page of `records.list` (with `limit`): `next`, absent on the last page, is the `cursor` of the page after it. */
export interface RecordPage {
  records: readonly RecordSummary[]
  next?: string
}

/** One Automerge change of one bucket: the unit a log entry carries. */
export interface BucketChange {
  bucket: number
  change: Uint8Array
}
