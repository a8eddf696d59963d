/**
 * import/ owns reading other password managers' export files (one file per
 * format, detected from the content) and writing exports (lanvault JSON/CSV,
 * Bitwarden JSON, KeePass KDBX). Parsers are pure: bytes in, records out; the
 * only file I/O is transfer-files.ts. It knows the record model (merge/types),
 * errors and narrow vault ports (transfer.ts), nothing of the store or daemon;
 * on its worker thread it writes an import's new buckets (merge/bucket-fill).
 */
export { parseImport, readImport, isImportFormat, READABLE_FORMATS } from "./parse-import.js"
export { exportRecords, renderExport } from "./export-records.js"
export { importFromFile, exportToFile, type ImportTarget, type ExportSource, type ImportOutcome } from "./transfer.js"
export {
  IMPORT_FORMATS,
  EXPORT_FORMATS,
  type ImportFormat,
  type ExportFormat,
  type ImportResult,
  type ImportOptions,
  type ExistingRecord,
  type SkippedEntry,
  type DuplicateEntry,
  type NotCarriedEntry,
  type ExportRecord,
} from "./types.js"
