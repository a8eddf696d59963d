/**
 * Keeper CSV (Keeper's "Export to .csv"): no header row; each row is
 * `folder,title,login,password,website address,notes,shared folder`, then
 * custom fields as name,value pairs. The pair named `TFC:Keeper` holds the TOTP
 * URI. A first row reading `Folder,Title,Login,…` is taken as a header and left
 * out. Folder and shared folder become tags ("\" separates levels; becomes "/").
 */
import { LanvaultError } from "../errors.js"
import { readCsv, type CsvRow, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, looksSecret, normaliseNewlines } from "./record-draft.js"
import type { FormatOutput } from "./types.js"

const FORMAT = "keeper-csv"
const FIXED_COLUMNS = 7
const MIN_COLUMNS = 6
const TOTP_FIELD = "tfc:keeper"

/** Whether a row is the optional header of a Keeper export. */
export function isKeeperHeader(cells: readonly string[]): boolean {
  const names = cells.map((cell) => cell.trim().toLowerCase())
  return names[0] === "folder" && names[1] === "title" && names[2] === "login" && names[3] === "password"
}

/** Parses a Keeper CSV export. */
export function parseKeeperCsv(text: CsvSource): FormatOutput {
  const rows = readCsv(text, FORMAT)
  if (rows.length > 0 && isKeeperHeader(rows[0].cells)) rows.shift()
  return { drafts: rows.map(rowDraft), skipped: [] }
}

function rowDraft(row: CsvRow): ReturnType<typeof draftOf> {
  const cells = row.cells
  if (cells.length < MIN_COLUMNS) {
    throw new LanvaultError("IMPORT_FAILED", `line ${row.line}: ${cells.length} columns where a Keeper row has at least ${MIN_COLUMNS}: the file is damaged or not a Keeper export`, { data: { line: row.line } })
  }
  const fields = new FieldBag()
  fields.add("username", cells[2], "text")
  fields.add("password", cells[3], "secret")
  fields.addUrls([cells[4]])
  for (let i = FIXED_COLUMNS; i + 1 < cells.length; i += 2) {
    const name = cells[i].trim()
    if (name.toLowerCase() === TOTP_FIELD) fields.add("totp", cells[i + 1].trim(), "totp")
    else fields.add(name, cells[i + 1], looksSecret(name) ? "secret" : "text")
  }
  const tags = [cells[0], cells[6] ?? ""].map((tag) => tag.replaceAll("\\", "/"))
  return draftOf(row.line, { type: "login", title: cells[1], fields: fields.result(), notes: normaliseNewlines(cells[5]), tags })
}
