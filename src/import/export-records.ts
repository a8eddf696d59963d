/**
 * Export of records to lanvault's JSON or CSV (both readable by `parseImport`,
 * as "json" and "csv"). JSON keeps everything but ids, trashed records included
 * and marked; CSV leaves trashed records out. See lanvault-json.ts and
 * lanvault-csv.ts for the layouts.
 */
import { LanvaultError } from "../errors.js"
import type { FieldValue, VaultRecord } from "../merge/types.js"
import { csvLine } from "./csv-text.js"
import { COLUMN_FIELDS, LANVAULT_CSV_COLUMNS, TAG_SEPARATOR } from "./lanvault-csv.js"
import { LANVAULT_EXPORT_FORMAT, LANVAULT_EXPORT_VERSION } from "./lanvault-json.js"
import { setOwn } from "./record-draft.js"
import { EXPORT_FORMATS, type ExportFormat } from "./types.js"

const CSV_LINE_END = "\r\n"

/** Writes `records` as a lanvault export file's text. */
export function exportRecords(records: readonly VaultRecord[], format: ExportFormat): string {
  if (format === "json") return exportJson(records)
  if (format === "csv") return exportCsv(records)
  throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown export format ${JSON.stringify(format)}: use ${EXPORT_FORMATS.join(" or ")}`)
}

function exportJson(records: readonly VaultRecord[]): string {
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
      ...(record.trashed ? { trashed: true } : {}),
    })),
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

function exportCsv(records: readonly VaultRecord[]): string {
  const lines = [csvLine(LANVAULT_CSV_COLUMNS)]
  for (const record of records) if (!record.trashed) lines.push(csvLine(csvCells(record)))
  return lines.join(CSV_LINE_END) + CSV_LINE_END
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
