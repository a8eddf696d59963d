/**
 * import/ owns reading other password managers' export files (one file per
 * format) and writing lanvault's own JSON and CSV exports. It is pure: bytes in,
 * records out, or records in, text out. It knows the record model (merge/types)
 * and errors, and nothing of the store, the daemon or the file system.
 */
export { parseImport, isImportFormat } from "./parse-import.js"
export { exportRecords } from "./export-records.js"
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
} from "./types.js"
