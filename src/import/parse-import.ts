/**
 * The entry points of import: bytes (and a format name, or none to detect it)
 * in, records ready to create out.
 */
import { InvalidParamsError, LanvaultError } from "../errors.js"
import { parseAppleCsv } from "./apple-csv.js"
import { parseBitwardenCsv } from "./bitwarden-csv.js"
import { parseBitwardenJson } from "./bitwarden-json.js"
import { parseChromeCsv } from "./chrome-csv.js"
import type { CsvSource, ParsedCsv } from "./csv-text.js"
import { parseDashlaneCsv } from "./dashlane-csv.js"
import { decodeUtf8 } from "./decode-text.js"
import { removeDuplicates } from "./dedupe.js"
import { detectFormat, type Detection } from "./detect-format.js"
import { parseEnpassJson } from "./enpass-json.js"
import { parseFirefoxCsv } from "./firefox-csv.js"
import { parseKdbx, parseKeepassXml } from "./keepass-import.js"
import { parseOnePassword1pux } from "./onepassword-1pux.js"
import { parseProtonJson, parseProtonZip } from "./proton-pass.js"
import { parseKeeperCsv } from "./keeper-csv.js"
import { parseKeepassxcCsv } from "./keepassxc-csv.js"
import { parseLanvaultCsv } from "./lanvault-csv.js"
import { parseLanvaultJson } from "./lanvault-json.js"
import { parseLastpassCsv } from "./lastpass-csv.js"
import { parseMsecureCsv } from "./msecure-csv.js"
import { parseNordpassCsv } from "./nordpass-csv.js"
import { parseOnePasswordCsv } from "./onepassword-csv.js"
import { nameDrafts } from "./record-draft.js"
import { IMPORT_FORMATS, type FormatOutput, type ImportFormat, type ImportOptions, type ImportResult, type NotCarriedEntry, type SkippedEntry } from "./types.js"

type TextParser = (text: string) => FormatOutput
type BytesParser = (bytes: Uint8Array, options: ImportOptions) => FormatOutput | Promise<FormatOutput>

const TEXT_PARSERS: Partial<Record<ImportFormat, TextParser>> = {
  "bitwarden-json": parseBitwardenJson,
  "bitwarden-csv": parseBitwardenCsv,
  "keepassxc-csv": parseKeepassxcCsv,
  "1password-csv": parseOnePasswordCsv,
  "chrome-csv": parseChromeCsv,
  "firefox-csv": parseFirefoxCsv,
  "apple-csv": parseAppleCsv,
  "lastpass-csv": parseLastpassCsv,
  "dashlane-csv": parseDashlaneCsv,
  "nordpass-csv": parseNordpassCsv,
  "keeper-csv": parseKeeperCsv,
  "msecure-csv": parseMsecureCsv,
  "proton-json": parseProtonJson,
  "enpass-json": parseEnpassJson,
  json: parseLanvaultJson,
  csv: parseLanvaultCsv,
}

const BYTES_PARSERS: Partial<Record<ImportFormat, BytesParser>> = {
  kdbx: parseKdbx,
  "keepass-xml": parseKeepassXml,
  "1password-1pux": parseOnePassword1pux,
  "proton-zip": parseProtonZip,
}

// KeePass files are opened by kdbxweb, which is asynchronous (its crypto is).
const ASYNC_FORMATS: ReadonlySet<ImportFormat> = new Set(["kdbx", "keepass-xml"])

/** The formats this build reads, in the order help texts list them. */
export const READABLE_FORMATS: readonly ImportFormat[] = IMPORT_FORMATS.filter(
  (format) => Object.hasOwn(TEXT_PARSERS, format) || Object.hasOwn(BYTES_PARSERS, format),
)

/** What `readImport` returns: the result and how the format was chosen. */
export interface ReadImportResult extends ImportResult {
  /** Why this format: "--format" when it was given, else what detection saw. */
  detectedBy: string
}

/**
 * Reads an export file of another password manager (or of lanvault) into
 * records: detects the format unless `format` is given, then parses. See
 * `parseImport` for what the result holds; all or nothing.
 */
export async function readImport(bytes: Uint8Array, format: string | undefined, options: ImportOptions = {}): Promise<ReadImportResult> {
  if (!(bytes instanceof Uint8Array)) throw new InvalidParamsError("the file to import must be given as bytes")
  const detection: Detection = format === undefined ? detectFormat(bytes) : { format: checkFormat(format), reason: "--format" }
  const bytesParser = BYTES_PARSERS[detection.format]
  const output = bytesParser !== undefined ? await bytesParser(bytes, options) : parseText(bytes, detection.format)
  return { ...finish(detection.format, output, options), detectedBy: detection.reason }
}

/**
 * Reads a text export file in a named format. Pure: no I/O beyond `bytes`.
 * Entries without a usable title are in `skipped`; entries identical to one
 * earlier in the file or in the vault (`options.existing`) are in `duplicates`;
 * entries sharing title, username and URL with one but differing are imported
 * and listed in `kept`. A malformed file throws `IMPORT_FAILED` naming the line
 * (never a partial result); an unknown format throws `UNSUPPORTED_FORMAT`.
 */
export function parseImport(bytes: Uint8Array, format: ImportFormat, options: ImportOptions = {}): ImportResult {
  checkFormat(format)
  if (!(bytes instanceof Uint8Array)) throw new InvalidParamsError("the file to import must be given as bytes")
  if (ASYNC_FORMATS.has(format)) throw new LanvaultError("UNSUPPORTED_FORMAT", `${format} files are read with readImport (asynchronously)`)
  const bytesParser = BYTES_PARSERS[format] as ((bytes: Uint8Array, options: ImportOptions) => FormatOutput) | undefined
  return finish(format, bytesParser === undefined ? parseText(bytes, format) : bytesParser(bytes, options), options)
}

/** The CSV formats: their parsers also take rows parsed while the file was read in chunks (csv-stream.ts). */
export const CSV_FORMATS: ReadonlySet<ImportFormat> = new Set(READABLE_FORMATS.filter((format) => format === "csv" || format.endsWith("-csv")))

/**
 * A CSV import whose rows were parsed while the file was streamed: the same
 * result `readImport` gives for its bytes. `format` must be one of CSV_FORMATS.
 */
export function readParsedCsv(rows: ParsedCsv, detection: Detection, options: ImportOptions = {}): ReadImportResult {
  if (!CSV_FORMATS.has(detection.format)) throw new LanvaultError("INTERNAL", `${detection.format} is not a CSV format`)
  const parser = TEXT_PARSERS[detection.format] as (source: CsvSource) => FormatOutput
  return { ...finish(detection.format, parser(rows), options), detectedBy: detection.reason }
}

/** `format` as an ImportFormat this build reads, or UNSUPPORTED_FORMAT. */
export function checkFormat(format: unknown): ImportFormat {
  if (isImportFormat(format) && READABLE_FORMATS.includes(format)) return format
  throw new LanvaultError("UNSUPPORTED_FORMAT", `unknown import format ${JSON.stringify(format)}: use one of ${READABLE_FORMATS.join(", ")}`)
}

function parseText(bytes: Uint8Array, format: ImportFormat): FormatOutput {
  const parser = TEXT_PARSERS[format]
  if (parser === undefined) throw new LanvaultError("UNSUPPORTED_FORMAT", `this lanvault does not read ${format} files`)
  return parser(decodeUtf8(bytes))
}

function finish(format: ImportFormat, parsed: FormatOutput, options: ImportOptions): ImportResult {
  const named = nameDrafts(parsed.drafts)
  const { drafts, duplicates, kept } = removeDuplicates(named.drafts, options.existing ?? [])
  const notCarried: NotCarriedEntry[] = drafts
    .filter((draft) => (draft.notCarried ?? []).length > 0)
    .map((draft) => ({ ...(draft.line === undefined ? {} : { line: draft.line }), title: draft.record.title, items: draft.notCarried ?? [] }))
  return {
    format,
    records: drafts.map((draft) => draft.record),
    skipped: byLine([...parsed.skipped, ...named.skipped]),
    duplicates,
    kept,
    notCarried,
  }
}

/** Whether `name` is an import format name. */
export function isImportFormat(name: unknown): name is ImportFormat {
  return typeof name === "string" && (IMPORT_FORMATS as readonly string[]).includes(name)
}

function byLine(entries: SkippedEntry[]): SkippedEntry[] {
  return entries.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))
}
