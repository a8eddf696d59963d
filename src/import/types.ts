/** Public types of import/export, and the shape every format parser hands back. */
import type { HistoryEntry, RecordInput, VaultRecord } from "../merge/types.js"

/**
 * Files `parseImport` reads. `json` and `csv` are lanvault's own exports
 * (what `exportRecords` writes); the others are other managers' exports.
 */
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

/** Every import format, in the order help texts list them. */
export const IMPORT_FORMATS = [
  "bitwarden-json",
  "bitwarden-csv",
  "keepassxc-csv",
  "kdbx",
  "keepass-xml",
  "1password-csv",
  "1password-1pux",
  "chrome-csv",
  "firefox-csv",
  "apple-csv",
  "lastpass-csv",
  "dashlane-csv",
  "nordpass-csv",
  "keeper-csv",
  "proton-json",
  "proton-zip",
  "enpass-json",
  "msecure-csv",
  "json",
  "csv",
] as const

/** Files `exportRecords` writes. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Every export format. */
export const EXPORT_FORMATS = ["json", "csv", "kdbx", "bitwarden-json"] as const

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

/** An entry imported with something the format holds but lanvault cannot carry (an attachment, a passkey). */
export interface NotCarriedEntry {
  line?: number
  title: string
  /** What was left behind, one item each ("attachment report.pdf", "passkey for example.com"). */
  items: string[]
}

/**
 * What `parseImport` returns: records ready for `createMany`, and what happened
 * to every entry that was not simply imported: left out (`skipped`), the same as
 * one already there (`duplicates`, only when truly identical), imported beside
 * an entry with the same title, username and URL but other content (`kept`), or
 * imported without some part (`notCarried`).
 */
export interface ImportResult {
  format: ImportFormat
  records: RecordInput[]
  skipped: SkippedEntry[]
  duplicates: DuplicateEntry[]
  kept: DuplicateEntry[]
  notCarried: NotCarriedEntry[]
}

/** A record as an export writes it: the record and its history. */
export type ExportRecord = VaultRecord & { history?: readonly HistoryEntry[] }

/**
 * A record already in the vault, for duplicate detection. `notes` is optional:
 * when given, records with neither username nor URL also compare their notes.
 */
export type ExistingRecord = Pick<VaultRecord, "title" | "fields"> & Partial<Pick<VaultRecord, "type" | "notes" | "tags">>

/** Options of `parseImport`. */
export interface ImportOptions {
  /** Records already in the vault: an entry matching one is reported as a duplicate. */
  existing?: readonly ExistingRecord[]
  /** The password of an encrypted file (KDBX). */
  password?: string
  /** The bytes of a KeePass key file. */
  keyFile?: Uint8Array
}

/** One record a file yielded, before titles are filled in and duplicates removed. */
export interface Draft {
  line?: number
  record: RecordInput & Required<Pick<RecordInput, "type" | "title" | "fields" | "notes" | "tags" | "favorite">>
  /** What this entry held that lanvault cannot carry. */
  notCarried?: string[]
}

/** What one format's parser hands back to `parseImport`. */
export interface FormatOutput {
  drafts: Draft[]
  skipped: SkippedEntry[]
}

/** A format's parser: decoded text in, drafts out; throws `IMPORT_FAILED` on a malformed file. */
export type FormatParser = (text: string) => FormatOutput
