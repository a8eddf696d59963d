/** The entry point of import: bytes and a format name in, records ready to create out. */
import { InvalidParamsError, LanvaultError } from "../errors.js"
import { parseBitwardenCsv } from "./bitwarden-csv.js"
import { parseBitwardenJson } from "./bitwarden-json.js"
import { parseChromeCsv } from "./chrome-csv.js"
import { decodeUtf8 } from "./decode-text.js"
import { removeDuplicates } from "./dedupe.js"
import { parseKeepassxcCsv } from "./keepassxc-csv.js"
import { parseLanvaultCsv } from "./lanvault-csv.js"
import { parseLanvaultJson } from "./lanvault-json.js"
import { parseMsecureCsv } from "./msecure-csv.js"
import { parseOnePasswordCsv } from "./onepassword-csv.js"
import { nameDrafts } from "./record-draft.js"
import { IMPORT_FORMATS, type FormatParser, type ImportFormat, type ImportOptions, type ImportResult, type SkippedEntry } from "./types.js"

const PARSERS: Record<ImportFormat, FormatParser> = {
  "bitwarden-json": parseBitwardenJson,
  "bitwarden-csv": parseBitwardenCsv,
  "keepassxc-csv": parseKeepassxcCsv,
  "1password-csv": parseOnePasswordCsv,
  "chrome-csv": parseChromeCsv,
  "msecure-csv": parseMsecureCsv,
  json: parseLanvaultJson,
  csv: parseLanvaultCsv,
}

/**
 * Reads an export file of another password manager (or of lanvault) into
 * records. Pure: no I/O beyond `bytes`. Entries without a usable title are in
 * `skipped`; entries the file already had, or the vault (`options.existing`)
 * already holds, are in `duplicates`. A malformed file throws `IMPORT_FAILED`
 * naming the line (never a partial result); an unknown format throws
 * `UNSUPPORTED_FORMAT`.
 */
export function parseImport(bytes: Uint8Array, format: ImportFormat, options: ImportOptions = {}): ImportResult {
  if (!isImportFormat(format)) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown import format ${JSON.stringify(format)}: use one of ${IMPORT_FORMATS.join(", ")}`)
  }
  if (!(bytes instanceof Uint8Array)) throw new InvalidParamsError("the file to import must be given as bytes")
  const parsed = PARSERS[format](decodeUtf8(bytes))
  const named = nameDrafts(parsed.drafts)
  const { records, duplicates } = removeDuplicates(named.drafts, options.existing ?? [])
  return { records, skipped: byLine([...parsed.skipped, ...named.skipped]), duplicates }
}

/** Whether `name` is an import format this build reads. */
export function isImportFormat(name: unknown): name is ImportFormat {
  return typeof name === "string" && (IMPORT_FORMATS as readonly string[]).includes(name)
}

function byLine(entries: SkippedEntry[]): SkippedEntry[] {
  return entries.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))
}
