/**
 * The import and export use cases behind the socket methods `import` and
 * `export`: checks their params, reads or writes the file (transfer-files.ts)
 * and talks to the vault through the narrow ports below, never the store.
 */
import { InvalidParamsError, LanvaultError } from "../errors.js"
import type { FilledSource } from "../merge/bucket-fill.js"
import type { HistoryEntry, ListFilter, VaultRecord } from "../merge/types.js"
import { openImport } from "./import-session.js"
import { runOffThread } from "./off-thread.js"
import { warmBucketWriter } from "./warm-writer.js"
import { mapRecordsInSlices } from "./slices.js"
import { checkRegularFile, MAX_KEY_FILE_BYTES, readRegularFile, writePrivateFile } from "./transfer-files.js"
import { EXPORT_FORMATS, IMPORT_FORMATS, type ExistingRecord, type ExportFormat, type ExportRecord } from "./types.js"

/** The vault as an import sees it. */
export interface ImportTarget {
  list(filter: ListFilter): Array<{ id: string }>
  get(id: string): VaultRecord
  /** Creates the records `source` writes (ids and buckets planned by the vault), committed in batches that leave the event loop free; `progress` after each. */
  createMany(source: FilledSource, progress?: ImportProgress): Promise<string[]>
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

/** Progress of an import (records in the vault) or an export (records gathered): `done` of `total`. */
export type ImportProgress = (done: number, total: number) => void

/**
 * Imports a file into the vault without holding the event loop: the file is
 * checked (regular, at most 256 MiB) here at once, read, parsed and checked
 * whole on a worker thread, whose records are then written there bucket by
 * bucket (one Automerge change per bucket) and committed here in batches of
 * about 25 ms each (one transaction, one fsync), `progress` told after each
 * (import-session.ts). A file refused, unreadable or malformed changes nothing;
 * a commit that fails midway (a full disk, a lock) keeps the batches before it.
 */
export async function importFromFile(target: ImportTarget, params: unknown, progress?: ImportProgress): Promise<ImportOutcome> {
  const p = checkParams(params, "import")
  const path = requirePath(p.path, "import")
  const format = optionalString(p.format, "format")
  const password = optionalString(p.password, "password")
  const keyFilePath = p.keyFile === undefined ? undefined : requirePath(p.keyFile, "key file")
  if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown import format "${format}": use one of ${IMPORT_FORMATS.join(", ")}`)
  }
  await checkRegularFile(path, "import file")
  const keyFile = keyFilePath === undefined ? undefined : await readRegularFile(keyFilePath, "key file", MAX_KEY_FILE_BYTES)
  const existing = await mapRecordsInSlices(target.list({}), (summary) => existingOf(target.get(summary.id)))
  const reading = openImport({ op: "import", path, format, password, keyFile, existing })
  // Meanwhile this thread, idle, readies itself to write buckets (warm-writer.ts).
  const warming = warmBucketWriter(reading)
  const read = await reading
  await warming
  try {
    if (read.count > 0) await target.createMany(read, progress)
  } finally {
    await read.close()
  }
  const result = read.summary
  return {
    imported: read.count,
    format: result.format,
    detectedBy: result.detectedBy,
    skipped: [...result.skipped, ...result.duplicates].sort(byLine),
    kept: result.kept,
    notCarried: result.notCarried,
  }
}

/** Writes every live record (with its history) to a new private file; see `writePrivateFile`. */
export async function exportToFile(source: ExportSource, params: unknown, progress?: ImportProgress): Promise<{ exported: number; path: string; format: string }> {
  const p = checkParams(params, "export")
  const path = requirePath(p.path, "export")
  const format = optionalString(p.format, "format") ?? "json"
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown export format "${format}": use one of ${EXPORT_FORMATS.join(", ")}`)
  }
  const password = optionalString(p.password, "password")
  const records: ExportRecord[] = await mapRecordsInSlices(source.list({}), (summary) => ({ ...source.get(summary.id), history: source.history(summary.id) }), progress)
  const data = await runOffThread({ op: "export", records, format: format as ExportFormat, password })
  await writePrivateFile(path, data)
  return { exported: records.length, path, format }
}

/** What duplicate detection reads of a record already in the vault (all that crosses to the worker). */
function existingOf(record: VaultRecord): ExistingRecord {
  return { type: record.type, title: record.title, fields: record.fields, notes: record.notes, tags: record.tags }
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
