/** Public types of import/export, and the shape every format parser hands back. */
import type { RecordInput, VaultRecord } from "../merge/types.js"

/**
 * Files `parseImport` reads. `json` and `csv` are lanvault's own exports
 * (what `exportRecords` writes); the others are other managers' exports.
 */
export type ImportFormat =
  | "bitwarden-json"
  | "bitwarden-csv"
  | "keepassxc-csv"
  | "1password-csv"
  | "chrome-csv"
  | "msecure-csv"
  | "json"
  | "csv"

/** Files `exportRecords` writes. */
export type ExportFormat = "json" | "csv"

/** Every import format, in the order help texts list them. */
export const IMPORT_FORMATS: readonly ImportFormat[] = [
  "bitwarden-json",
  "bitwarden-csv",
  "keepassxc-csv",
  "1password-csv",
  "chrome-csv",
  "msecure-csv",
  "json",
  "csv",
]

/** Every export format. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ["json", "csv"]

/** An entry of the file that was not imported, and why. `line` is 1-based, for CSV files. */
export interface SkippedEntry {
  line?: number
  title?: string
  reason: string
}

/** An entry left out because the file or the vault already holds the same login. */
export interface DuplicateEntry {
  line?: number
  title: string
  reason: string
}

/** What `parseImport` returns: records ready for `createMany`, and what was left out. */
export interface ImportResult {
  records: RecordInput[]
  skipped: SkippedEntry[]
  duplicates: DuplicateEntry[]
}

/**
 * A record already in the vault, for duplicate detection. `notes` is optional:
 * when given, records with neither username nor URL also compare their notes.
 */
export type ExistingRecord = Pick<VaultRecord, "title" | "fields"> & { notes?: string }

/** Options of `parseImport`. */
export interface ImportOptions {
  /** Records already in the vault: an entry matching one is reported as a duplicate. */
  existing?: readonly ExistingRecord[]
}

/** One record a file yielded, before titles are filled in and duplicates removed. */
export interface Draft {
  line?: number
  record: Required<RecordInput>
}

/** What one format's parser hands back to `parseImport`. */
export interface FormatOutput {
  drafts: Draft[]
  skipped: SkippedEntry[]
}

/** A format's parser: decoded text in, drafts out; throws `IMPORT_FAILED` on a malformed file. */
export type FormatParser = (text: string) => FormatOutput
