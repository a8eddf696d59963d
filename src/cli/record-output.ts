import type { FieldKind, HistoryEntry, RecordSummary, VaultRecord } from "../api/public.js"
import { formatPairs, formatTable, formatTime, isHiddenKind, MASK, shortId } from "./format.js"

/** Field names a list shows as the record's user name, best first. */
const USER_FIELDS = ["username", "user", "login", "email"]
/** Field names a list shows as the record's address, best first. */
const URL_FIELDS = ["url", "website", "uri"]

/** A record as JSON output carries it without `--reveal`: hidden values left out. */
export type MaskedRecord = Omit<VaultRecord, "fields"> & { fields: Record<string, { kind: FieldKind; value?: string }> }

/** `list`'s table: short id, type, title, and the user name / address when present. */
export function formatRecordList(records: readonly RecordSummary[]): string {
  const rows = records.map((record) => [shortId(record.id), record.type, record.title + (record.favorite ? " ★" : ""), loginOf(record)])
  return formatTable(["ID", "TYPE", "TITLE", "LOGIN"], rows)
}

/** `get`'s view of one record; hidden values shown as a mask unless `reveal`. */
export function formatRecord(record: VaultRecord, reveal: boolean): string {
  const pairs: Array<[string, string]> = [
    ["id", record.id],
    ["type", record.type],
  ]
  if (record.tags.length > 0) pairs.push(["tags", record.tags.join(", ")])
  if (record.favorite) pairs.push(["favorite", "yes"])
  if (record.trashed) pairs.push(["in trash", "yes (restore it with `lanvault edit ID --restore`)"])
  pairs.push(["created", formatTime(record.createdAt)], ["updated", formatTime(record.updatedAt)])
  const lines = [record.title, "", formatPairs(pairs)]
  const fields = Object.entries(record.fields)
  if (fields.length > 0) {
    const fieldPairs = fields.map(([name, field]): [string, string] => [name, shownValue(field.value, field.kind, reveal)])
    lines.push("", "fields:", indent(formatPairs(fieldPairs)))
  }
  if (record.notes !== "") lines.push("", "notes:", indent(record.notes))
  return lines.join("\n")
}

/** The record for JSON output: as the daemon sent it with `reveal`, else without hidden values. */
export function recordForJson(record: VaultRecord, reveal: boolean): MaskedRecord {
  if (reveal) return record
  const fields = Object.fromEntries(
    Object.entries(record.fields).map(([name, field]) => [name, isHiddenKind(field.kind) ? { kind: field.kind } : field]),
  )
  return { ...record, fields }
}

/** `history`'s table: when a value stopped being current, which field, why, and the value. */
export function formatHistory(entries: ReadonlyArray<HistoryEntry & { deviceName?: string }>, reveal: boolean): string {
  const rows = [...entries]
    .sort((a, b) => b.changedAt - a.changedAt)
    .map((entry) => [formatTime(entry.changedAt), entry.field, entry.reason, madeBy(entry), shownValue(entry.value, entry.kind, reveal)])
  return formatTable(["WHEN", "FIELD", "REASON", "MADE BY", "VALUE"], rows)
}

/** The device that wrote a value: its name, else its short id, else "-" (imported, or kept before devices were). */
function madeBy(entry: { deviceId?: string; deviceName?: string }): string {
  return entry.deviceName ?? (entry.deviceId === undefined ? "-" : entry.deviceId.slice(0, 8))
}

/** History entries for JSON output: hidden values left out unless `reveal`. */
export function historyForJson(entries: readonly HistoryEntry[], reveal: boolean): Array<Omit<HistoryEntry, "value"> & { value?: string }> {
  if (reveal) return [...entries]
  return entries.map((entry) => (isHiddenKind(entry.kind) ? { ...entry, value: undefined } : entry))
}

function loginOf(record: RecordSummary): string {
  const pick = (names: string[]) => names.map((name) => record.fields[name]).find((f) => f?.value && !isHiddenKind(f.kind))?.value
  return [pick(USER_FIELDS), pick(URL_FIELDS)].filter((v) => v !== undefined).join("  ")
}

function shownValue(value: string, kind: FieldKind, reveal: boolean): string {
  if (isHiddenKind(kind) && !reveal) return MASK
  return value.includes("\n") ? `\n${indent(value)}` : value
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n")
}
