import * as Automerge from "./automerge.js"
import { ImmutableString } from "./automerge.js"
import { DEVICE_ID_PATTERN } from "../crypto/bytes.js"
import { FIELD_KINDS, HIDDEN_KINDS, type FieldKind, type FieldValue, type HistoryEntry, type RecordInput, type RecordSummary, type VaultRecord } from "./types.js"
import { freezeSummary } from "./bucket-snapshot.js"

/**
 * A last-writer-wins value: `[value, kind, writtenAtMs]` as JSON in one
 * ImmutableString. Always assigned whole, so concurrent writes conflict at its
 * key and Automerge keeps every candidate (see history.ts). One scalar rather
 * than a `{ value, kind, at }` map: a map is four ops and several live JS
 * objects per field, which made load and replay 2–4× slower at 10k records.
 */
export type StoredRegister = ImmutableString

/** A register's content. */
export interface Register {
  value: string
  kind: FieldKind
  /** When it was written (ms since epoch): the `changedAt` of a conflict loser. */
  at: number
}

/** A history entry: `[field, value, kind, changedAtMs, reason, deviceId?]` as JSON in one ImmutableString (older entries have no device). */
export type StoredHistoryEntry = ImmutableString

/** A record as one bucket document holds it, under its id at the document root. */
export interface StoredRecord {
  type: ImmutableString
  title: StoredRegister
  fields: Record<string, StoredRegister>
  /** Automerge text: the only value edited character by character. */
  notes: string
  /** Tag name → position in the list last set; a map so concurrent adds both survive. */
  tags: Record<string, number>
  favorite: boolean
  trashed: boolean
  createdAt: number
  updatedAt: number
  /** Created with the record (never lazily: two devices creating it at once would hide one list). */
  history: StoredHistoryEntry[]
}

/** The root of one bucket document: records by id, nothing else. */
export type BucketRoot = Record<string, StoredRecord>

/** Re-exported: it lives in types.ts so queries need not load Automerge. */
export { HIDDEN_KINDS }

/** The history label of the title register. */
export const TITLE_FIELD = "title"

/** A device id (and so an Automerge actor): 32 lowercase hex characters. */

const HISTORY_REASONS: readonly HistoryEntry["reason"][] = ["edited", "removed", "conflict"]

/** The text of a stored scalar: ImmutableString in documents, plain strings in some conflict views. */
export function plain(value: unknown): string {
  if (value instanceof ImmutableString) return value.val
  return typeof value === "string" ? value : ""
}

/** A register ready to assign inside a change. */
export function encodeRegister(register: Register): StoredRegister {
  return new ImmutableString(JSON.stringify([register.value, register.kind, register.at]))
}

/** A stored register's content; undefined if unreadable (skipped rather than shown wrong). */
export function decodeRegister(stored: unknown): Register | undefined {
  const parts = parseArray(stored)
  if (parts === undefined || typeof parts[0] !== "string") return undefined
  return { value: parts[0], kind: readKind(parts[1]), at: finiteOr0(parts[2]) }
}

/**
 * The register stored at `parent[key]`, as Automerge's own rule picks it among
 * concurrent writes (the greatest op id: counter, then actor). Read through
 * `getConflicts` when there are several: Automerge 3.5's materialized object can
 * show a value another device deleted when that delete raced concurrent writes
 * (found by the convergence property test), while its conflict set is right.
 */
export function registerAt(parent: object, key: string): Register | undefined {
  const conflicts = Automerge.getConflicts(parent as Automerge.Doc<unknown>, key)
  if (conflicts === undefined) return decodeRegister((parent as Record<string, unknown>)[key])
  let winner: { counter: number; actor: string; raw: unknown } | undefined
  for (const [opId, raw] of Object.entries(conflicts)) {
    const at = opId.indexOf("@")
    const counter = Number(opId.slice(0, at))
    const actor = opId.slice(at + 1)
    if (winner === undefined || counter > winner.counter || (counter === winner.counter && actor > winner.actor)) winner = { counter, actor, raw }
  }
  return winner === undefined ? undefined : decodeRegister(winner.raw)
}

/** A history entry ready to push inside a change. */
export function encodeHistoryEntry(entry: HistoryEntry): StoredHistoryEntry {
  const parts: unknown[] = [entry.field, entry.value, entry.kind, entry.changedAt, entry.reason]
  if (entry.deviceId !== undefined) parts.push(entry.deviceId)
  return new ImmutableString(JSON.stringify(parts))
}

/** A stored history entry; undefined if unreadable. */
export function decodeHistoryEntry(stored: unknown): HistoryEntry | undefined {
  const parts = parseArray(stored)
  if (parts === undefined || typeof parts[0] !== "string" || typeof parts[1] !== "string") return undefined
  const reason = HISTORY_REASONS.includes(parts[4] as HistoryEntry["reason"]) ? (parts[4] as HistoryEntry["reason"]) : "edited"
  const deviceId = typeof parts[5] === "string" && DEVICE_ID_PATTERN.test(parts[5]) ? parts[5] : undefined
  return { field: parts[0], value: parts[1], kind: readKind(parts[2]), changedAt: finiteOr0(parts[3]), reason, ...(deviceId ? { deviceId } : {}) }
}

/** The stored form of a validated input, ready to assign at the root of its bucket. */
export function newStoredRecord(input: RecordInput, now: number): StoredRecord {
  const fields: Record<string, StoredRegister> = {}
  for (const [name, field] of Object.entries(input.fields ?? {})) fields[name] = encodeRegister({ ...field, at: now })
  return {
    type: new ImmutableString(input.type),
    title: encodeRegister({ value: input.title, kind: "text", at: now }),
    fields,
    notes: input.notes ?? "",
    tags: tagPositions(input.tags ?? []),
    favorite: input.favorite ?? false,
    trashed: false,
    createdAt: input.createdAt ?? now,
    updatedAt: input.updatedAt ?? input.createdAt ?? now,
    // Who made an imported earlier value is not known here: a device id given with it is dropped.
    history: (input.history ?? []).map(({ field, value, kind, changedAt, reason }) => encodeHistoryEntry({ field, value, kind, changedAt, reason })),
  }
}

/** Tag positions for a list, duplicates dropped. */
export function tagPositions(tags: readonly string[]): Record<string, number> {
  const positions: Record<string, number> = {}
  for (const tag of new Set(tags)) positions[tag] = Object.keys(positions).length
  return positions
}

/** The plain-data record of a stored one (winners of any conflict; strings as JS strings). */
export function readRecord(id: string, stored: StoredRecord): VaultRecord {
  return readWith(id, stored, registerAt)
}

/**
 * The summary of a record `newStoredRecord` just made, before any document holds it: read by
 * the same code as from a document, its registers taken as they are (a new record has no
 * concurrent writes). What the document then lists for it, without reading it back.
 */
export function newSummary(id: string, stored: StoredRecord): RecordSummary {
  return freezeSummary(toSummary(readWith(id, stored, (parent, key) => decodeRegister((parent as Record<string, unknown>)[key]))))
}

function readWith(id: string, stored: StoredRecord, register: (parent: object, key: string) => Register | undefined): VaultRecord {
  const fields: [string, FieldValue][] = []
  for (const name of Object.keys(stored.fields ?? {})) {
    const field = register(stored.fields, name)
    if (field !== undefined) fields.push([name, { value: field.value, kind: field.kind }])
  }
  return {
    id,
    type: plain(stored.type),
    title: register(stored, "title")?.value ?? "",
    // fromEntries defines own properties, so no field name can reach a prototype. Sorted by
    // name: a map's key order depends on the order changes merged, which differs between devices.
    fields: Object.fromEntries(fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    notes: typeof stored.notes === "string" ? stored.notes : "",
    tags: readTags(stored.tags),
    favorite: stored.favorite === true,
    trashed: stored.trashed === true,
    createdAt: finiteOr0(stored.createdAt),
    updatedAt: finiteOr0(stored.updatedAt),
  }
}

/** What `list` shows of a record: hidden kinds keep their kind but lose their value. */
export function toSummary(record: VaultRecord): RecordSummary {
  const { fields, notes: _notes, ...rest } = record
  const shown = Object.entries(fields).map(([name, f]) => [name, HIDDEN_KINDS.has(f.kind) ? { kind: f.kind } : { kind: f.kind, value: f.value }])
  return { ...rest, fields: Object.fromEntries(shown) }
}

/** A stored kind; one this version does not know is treated as secret so it is never listed. */
function readKind(value: unknown): FieldKind {
  return FIELD_KINDS.includes(value as FieldKind) ? (value as FieldKind) : "secret"
}

function readTags(stored: Record<string, number> | undefined): string[] {
  // Position first, then name: concurrent adds at one position order the same everywhere.
  return Object.entries(stored ?? {})
    .sort(([a, pa], [b, pb]) => finiteOr0(pa) - finiteOr0(pb) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([tag]) => tag)
}

function parseArray(stored: unknown): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(plain(stored))
    return Array.isArray(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

function finiteOr0(value: unknown): number {
  // Automerge gives 2^53 - 1 back as a bigint: the number written, not a bad one.
  if (typeof value === "bigint" && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value)
  return typeof value === "number" && Number.isFinite(value) ? value : 0
}
