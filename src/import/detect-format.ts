/**
 * Tells an import file's format from its content: ZIP members, the KDBX
 * signature, the XML root, the JSON shape, the CSV header. When it cannot
 * tell, it throws `UNSUPPORTED_FORMAT` naming the closest formats and what
 * they have that this file lacks.
 */
import { LanvaultError } from "../errors.js"
import { rankCsvFormats, csvFormatOf } from "./csv-signatures.js"
import { readCsv } from "./csv-text.js"
import { decodeUtf8 } from "./decode-text.js"
import { asArray, asObject, parseJsonText } from "./json-text.js"
import { isKeeperHeader } from "./keeper-csv.js"
import { isEncryptedZip, isZip, zipMemberNames } from "./zip-reader.js"
import type { ImportFormat } from "./types.js"

/** What detection found: the format and the evidence, for the summary. */
export interface Detection {
  format: ImportFormat
  reason: string
}

const KDBX_SIGNATURE = [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5]
const KDB_SIGNATURE = [0x03, 0xd9, 0xa2, 0x9a, 0x65, 0xfb, 0x4b, 0xb5]
const HEAD_CHARS = 64 * 1024
const MSECURE_CELL = /^[^|]*\|\d+\|/
const KEEPER_MIN_CELLS = 7

/** The format of `bytes`, or `UNSUPPORTED_FORMAT` with the closest candidates. */
export function detectFormat(bytes: Uint8Array): Detection {
  if (startsWith(bytes, KDBX_SIGNATURE)) return { format: "kdbx", reason: "KeePass KDBX signature" }
  if (startsWith(bytes, KDB_SIGNATURE)) throw unknown("a KeePass 1 (.kdb) database: open it in KeePassXC, save it as .kdbx, and import that")
  if (isZip(bytes)) return detectZip(bytes)
  const text = decodeUtf8(bytes)
  const head = text.slice(0, HEAD_CHARS).trimStart()
  if (head.startsWith("<")) return detectXml(head)
  if (head.startsWith("{") || head.startsWith("[")) return detectJson(text)
  return detectCsv(text)
}

function detectZip(bytes: Uint8Array): Detection {
  if (isEncryptedZip(bytes)) throw failure("this ZIP file is password-protected: export it again without encryption, then import that")
  const names = zipMemberNames(bytes)
  if (names.includes("export.data") || names.includes("export.attributes")) return { format: "1password-1pux", reason: "ZIP with export.data (1Password 1PUX)" }
  if (names.some((name) => /(^|\/)Proton Pass\/data\.json$/.test(name))) return { format: "proton-zip", reason: "ZIP with Proton Pass/data.json" }
  const shown = names.slice(0, 5).join(", ") + (names.length > 5 ? ", …" : "")
  throw unknown(`a ZIP file holding ${shown || "nothing"}: not one lanvault reads (a 1Password .1pux holds export.data; a Proton Pass ZIP holds Proton Pass/data.json)`)
}

function detectXml(head: string): Detection {
  const root = /<(?![?!])([A-Za-z_][\w.:-]*)/.exec(head)?.[1]
  if (root === "KeePassFile") return { format: "keepass-xml", reason: "XML with root <KeePassFile>" }
  throw unknown(`an XML file with root <${root ?? "?"}>: the XML lanvault reads is KeePass 2 XML (root <KeePassFile>)`)
}

function detectJson(text: string): Detection {
  const root = asObject(parseJsonText(text, "JSON"))
  if (root === undefined) throw unknown("a JSON file whose top level is not an object: not an export lanvault reads")
  if (root.format === "lanvault-export") return { format: "json", reason: 'JSON with "format": "lanvault-export"' }
  if (asObject(root.vaults) !== undefined) return { format: "proton-json", reason: 'JSON with "vaults" (Proton Pass)' }
  const items = asArray(root.items).map(asObject)
  if (items.some((item) => typeof item?.category === "string")) return { format: "enpass-json", reason: 'JSON items with a "category" (Enpass)' }
  if (root.encrypted === true || items.some((item) => typeof item?.type === "number")) {
    return { format: "bitwarden-json", reason: 'JSON items with a numeric "type" (Bitwarden)' }
  }
  if (Array.isArray(root.items) && items.length === 0) return { format: "bitwarden-json", reason: 'JSON with an empty "items" list (Bitwarden)' }
  const keys = Object.keys(root).slice(0, 6).join(", ")
  throw unknown(
    `a JSON file with keys ${keys || "(none)"}: Bitwarden has "items" with a numeric "type", Enpass "items" with a "category", ` +
      'Proton Pass "vaults", lanvault "format": "lanvault-export"',
  )
}

function detectCsv(text: string): Detection {
  const first = firstRow(text)
  if (first === undefined) throw unknown("an empty file")
  const names = new Set(first.cells.map((cell) => cell.trim().toLowerCase()))
  const format = csvFormatOf(names)
  if (format !== undefined) return { format, reason: `CSV header ${describe(format)}` }
  if (isKeeperHeader(first.cells)) return { format: "keeper-csv", reason: "CSV header folder,title,login,password (Keeper)" }
  if (first.cells.some((cell) => MSECURE_CELL.test(cell))) return { format: "msecure-csv", reason: "CSV cells like Name|kind|value (mSecure)" }
  if (first.cells.length >= KEEPER_MIN_CELLS && looksLikeUrlOrEmpty(first.cells[4])) {
    return { format: "keeper-csv", reason: "CSV without a header, columns folder,title,login,password,url,notes,shared folder (Keeper)" }
  }
  const closest = rankCsvFormats(names)
    .filter((fit) => fit.score > 0)
    .slice(0, 3)
    .map((fit) => `${fit.format} (lacks ${fit.missing.map((name) => `"${name}"`).join(", ")})`)
  const hint = closest.length > 0 ? `; closest: ${closest.join("; ")}` : ""
  throw unknown(`a CSV file whose header is not one lanvault knows${hint}; if it is one of these, say so with --format`)
}

function describe(format: ImportFormat): string {
  return format === "csv" ? "of lanvault's own CSV export" : `of ${format}`
}

// The first row: from the head of the file (a header-less first row may hold a
// quoted multi-line note); if the head ends inside a quote, from the first line.
function firstRow(text: string): { cells: string[] } | undefined {
  const head = text.slice(0, HEAD_CHARS)
  const line = head.split(/\r\n?|\n/).find((candidate) => candidate.trim() !== "")
  if (line === undefined) return undefined
  for (const candidate of [head, line]) {
    try {
      const row = readCsv(candidate, "CSV")[0]
      if (row !== undefined) return row
    } catch {
      // cut inside a quoted value: try the next, shorter candidate
    }
  }
  return { cells: line.split(",") }
}

function looksLikeUrlOrEmpty(cell: string | undefined): boolean {
  const value = (cell ?? "").trim()
  return value === "" || /^[a-z][a-z0-9+.-]*:\/\/|^[\w-]+(\.[\w-]+)+(\/|$)/i.test(value)
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte)
}

function unknown(what: string): LanvaultError {
  return new LanvaultError("UNSUPPORTED_FORMAT", `cannot tell the format: this is ${what}`)
}

function failure(message: string): LanvaultError {
  return new LanvaultError("IMPORT_FAILED", message)
}
