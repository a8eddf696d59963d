/**
 * The import and export use cases behind the socket methods `import` and
 * `export`: checks their params, reads or writes the file (transfer-files.ts)
 * and talks to the vault through the narrow ports below, never the store.
 */
import { InvalidParamsError, LanvaultError } from "../errors.js"
import type { HistoryEntry, ListFilter, RecordInput, VaultRecord } from "../merge/types.js"
import { renderExport } from "./export-records.js"
import { readImport, READABLE_FORMATS } from "./parse-import.js"
import { MAX_KEY_FILE_BYTES, readRegularFile, writePrivateFile } from "./transfer-files.js"
import { EXPORT_FORMATS, type ExportFormat, type ExportRecord } from "./types.js"

/** The vault as an import sees it. */
export interface ImportTarget {
  list(filter: ListFilter): Array<{ id: string }>
  get(id: string): VaultRecord
  createMany(inputs: RecordInput[]): string[]
}

/** The vault as an export sees it. */
export interface ExportSource {
  list(filter: ListFilter): Array<{ id: string }>
  get(id: string): VaultRecord
  history(id: string): HistoryEntry[]
}

/** What `import` answers: see `ImportSummary` in api/protocol.ts. */
export interface ImportOutcome {
  imported: number
  format: string
  detectedBy: string
  skipped: Array<{ line?: number; title?: string; reason: string }>
  kept: Array<{ line?: number; title: string; reason: string }>
  notCarried: Array<{ line?: number; title: string; items: string[] }>
}

const PARAM_KEYS = { import: ["path", "format", "password", "keyFile"], export: ["path", "format", "password"] }

/**
 * Imports a file into the vault in one commit, all or nothing. The file is
 * checked (regular, at most 256 MiB) before a byte is read, and a refused
 * file changes nothing.
 */
export async function importFromFile(target: ImportTarget, params: unknown): Promise<ImportOutcome> {
  const p = checkParams(params, "import")
  const path = requirePath(p.path, "import")
  const format = optionalString(p.format, "format")
  const password = optionalString(p.password, "password")
  const keyFilePath = p.keyFile === undefined ? undefined : requirePath(p.keyFile, "key file")
  if (format !== undefined && !(READABLE_FORMATS as readonly string[]).includes(format)) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown import format "${format}": use one of ${READABLE_FORMATS.join(", ")}`)
  }
  const bytes = await readRegularFile(path, "import file")
  const keyFile = keyFilePath === undefined ? undefined : await readRegularFile(keyFilePath, "key file", MAX_KEY_FILE_BYTES)
  const existing = target.list({}).map((summary) => target.get(summary.id))
  const result = await readImport(bytes, format, { existing, password, keyFile })
  if (result.records.length > 0) target.createMany(result.records)
  return {
    imported: result.records.length,
    format: result.format,
    detectedBy: result.detectedBy,
    skipped: [...result.skipped, ...result.duplicates].sort(byLine),
    kept: result.kept,
    notCarried: result.notCarried,
  }
}

/** Writes every live record (with its history) to a new private file; see `writePrivateFile`. */
export async function exportToFile(source: ExportSource, params: unknown): Promise<{ exported: number; path: string; format: string }> {
  const p = checkParams(params, "export")
  const path = requirePath(p.path, "export")
  const format = optionalString(p.format, "format") ?? "json"
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown export format "${format}": use one of ${EXPORT_FORMATS.join(", ")}`)
  }
  const password = optionalString(p.password, "password")
  const records: ExportRecord[] = source.list({}).map((summary) => ({ ...source.get(summary.id), history: source.history(summary.id) }))
  const data = await renderExport(records, format as ExportFormat, { password })
  await writePrivateFile(path, data)
  return { exported: records.length, path, format }
}

function checkParams(params: unknown, method: keyof typeof PARAM_KEYS): Record<string, unknown> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) throw new InvalidParamsError(`${method} takes an object`)
  for (const key of Object.keys(params)) {
    if (!PARAM_KEYS[method].includes(key)) throw new InvalidParamsError(`${method} has an unknown param "${key}"`)
  }
  return params as Record<string, unknown>
}

function requirePath(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "" || !value.startsWith("/") || value.includes("\0")) {
    throw new InvalidParamsError(`the ${what} path must be an absolute path`)
  }
  return value
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== "string") throw new InvalidParamsError(`${what} must be a string`)
  return value
}

function byLine(a: { line?: number }, b: { line?: number }): number {
  return (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER)
}
