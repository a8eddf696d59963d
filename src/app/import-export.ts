import { readFileSync } from "node:fs"
import { isAbsolute } from "node:path"
import { writeSecretFile } from "../account/index.js"
import { InvalidParamsError, LanvaultError } from "../errors.js"
import { exportRecords, parseImport, IMPORT_FORMATS, type ExportFormat, type ImportFormat } from "../import/index.js"
import type { VaultService } from "../vault/index.js"

const MAX_IMPORT_BYTES = 64 * 1024 * 1024

/** The vault as import and export see it. */
export type RecordSource = Pick<VaultService, "list" | "get" | "createMany">

/** Reads another manager's export file and creates its records (duplicates skipped) in one commit. */
export function importFile(vault: RecordSource, path: string, format: string): { imported: number; skipped: Array<{ line?: number; title?: string; reason: string }> } {
  if (!isAbsolute(path)) throw new InvalidParamsError("the import path must be absolute")
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown import format "${format}": use one of ${IMPORT_FORMATS.join(", ")}`)
  }
  const bytes = readInput(path)
  const existing = vault.list({}).map((summary) => vault.get(summary.id))
  const parsed = parseImport(bytes, format as ImportFormat, { existing })
  if (parsed.records.length > 0) vault.createMany(parsed.records)
  return { imported: parsed.records.length, skipped: [...parsed.skipped, ...parsed.duplicates] }
}

function readInput(path: string): Uint8Array {
  try {
    const bytes = readFileSync(path)
    if (bytes.length > MAX_IMPORT_BYTES) throw new InvalidParamsError(`the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`)
    return new Uint8Array(bytes)
  } catch (error) {
    if (error instanceof LanvaultError) throw error
    throw new LanvaultError("IMPORT_FAILED", `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`)
  }
}

/** Writes every live record to a private file (0600) as JSON or CSV. */
export function exportFile(vault: RecordSource, path: string, format: string): { exported: number; path: string } {
  if (!isAbsolute(path)) throw new InvalidParamsError("the export path must be absolute")
  if (format !== "json" && format !== "csv") throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown export format "${format}": use json or csv`)
  const records = vault.list({}).map((summary) => vault.get(summary.id))
  writeSecretFile(path, exportRecords(records, format as ExportFormat))
  return { exported: records.length, path }
}
