/**
 * Export of records to lanvault's JSON or CSV (both readable by `parseImport`,
 * as "json" and "csv"). JSON keeps everything but ids, trashed records included
 * and marked; CSV leaves trashed records out. See lanvault-json.ts and
 * lanvault-csv.ts for the layouts.
 */
import { stringify } from "csv-stringify/sync"
import { LanvaultError } from "../errors.js"
import type { FieldValue, VaultRecord } from "../merge/types.js"
import { setOwn } from "../own-property.js"
import { exportBitwardenJson } from "./bitwarden-export.js"
import { exportKdbx } from "./kdbx-export.js"
import { COLUMN_FIELDS, LANVAULT_CSV_COLUMNS, TAG_SEPARATOR } from "./lanvault-csv.js"
import { LANVAULT_EXPORT_FORMAT, LANVAULT_EXPORT_VERSION } from "./lanvault-json.js"
import { EXPORT_FORMATS, type ExportFormat, type ExportRecord } from "./types.js"

const CSV_LINE_END = "\r\n"

/**
 * The export file of `records` in `format`: lanvault JSON or CSV, Bitwarden
 * JSON, or KeePass KDBX 4 (which needs `options.password`).
 */
export async function renderExport(records: readonly ExportRecord[], format: ExportFormat, options: { password?: string } = {}): Promise<string | Uint8Array> {
  if (format === "kdbx") return exportKdbx(records, options.password)
  if (format === "bitwarden-json") return exportBitwardenJson(records)
  return exportRecords(records, format)
}

/** Writes `records` as a lanvault export file's text (JSON or CSV). */
export function exportRecords(records: readonly ExportRecord[], format: ExportFormat): string {
  if (format === "json") return exportJson(records)
  if (format === "csv") return exportCsv(records)
  throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown export format ${JSON.stringify(format)}: use ${EXPORT_FORMATS.join(", ")}`)
}

function exportJson(records: readonly ExportRecord[]): string {
  const document = {
    format: LANVAULT_EXPORT_FORMAT,
    version: LANVAULT_EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    records: records.map((record) => ({
      type: record.type,
      title: record.title,
      fields: copyFields(record.fields, () => true),
      notes: record.notes,
      tags: [...record.tags],
      favorite: record.favorite,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...((record.history ?? []).length > 0 ? { history: record.history } : {}),
      ...(record.trashed ? { trashed: true } : {}),
    })),
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

function exportCsv(records: readonly VaultRecord[]): string {
  const rows = [[...LANVAULT_CSV_COLUMNS], ...records.filter((record) => !record.trashed).map(csvCells)]
  // csv-stringify quotes only the record delimiter itself (CRLF): a lone LF or CR, and edge spaces, need quotes too.
  return stringify(rows, { record_delimiter: CSV_LINE_END, quoted_match: /[\r\n]|^\s|\s$/ })
}

function csvCells(record: VaultRecord): string[] {
  const inColumn = (name: string) => {
    const field = Object.hasOwn(record.fields, name) ? record.fields[name] : undefined
    return COLUMN_FIELDS.some(([column, kind]) => column === name && field?.kind === kind && field.value !== "")
  }
  const column = (name: string) => (inColumn(name) ? record.fields[name].value : "")
  const rest = copyFields(record.fields, (name) => !inColumn(name))
  return [
    record.type,
    record.title,
    column("username"),
    column("password"),
    column("url"),
    record.notes,
    record.tags.join(TAG_SEPARATOR),
    String(record.favorite),
    Object.keys(rest).length === 0 ? "" : JSON.stringify(rest),
  ]
}

function copyFields(fields: Record<string, FieldValue>, keep: (name: string) => boolean): Record<string, FieldValue> {
  const copy: Record<string, FieldValue> = {}
  for (const [name, field] of Object.entries(fields)) if (keep(name)) setOwn(copy, name, { value: field.value, kind: field.kind })
  return copy
}
