/**
 * lanvault's own CSV (what `exportRecords(…, "csv")` writes), one header:
 * `type,title,username,password,url,notes,tags,favorite,fields`. The username,
 * password and url columns hold those fields when they have their usual kind
 * (text, secret, url); every other field is in `fields` as a JSON object
 * `{ name: { value, kind } }`, so re-import restores kinds. Tags are joined
 * with ";" (a tag holding ";" comes back split), favorite is "true"/"false".
 * The column names also suit our 1password-csv importer, which reads back title,
 * username, password, url, notes, tags and favorite.
 */
import { LanvaultError } from "../errors.js"
import type { FieldKind, FieldValue } from "../merge/types.js"
import { setOwn } from "../own-property.js"
import { cellOf, readTable, type CsvRow, type Header, type CsvSource } from "./csv-text.js"
import { parseJsonText } from "./json-text.js"
import { readFieldMap } from "./lanvault-json.js"
import { draftOf, isTrue, splitList } from "./record-draft.js"
import type { Draft, FormatOutput } from "./types.js"

const FORMAT = "csv (lanvault export)"

/** The header of lanvault's CSV export, in order. */
export const LANVAULT_CSV_COLUMNS = ["type", "title", "username", "password", "url", "notes", "tags", "favorite", "fields"] as const

/** Fields that get their own column when they have this kind. */
export const COLUMN_FIELDS: ReadonlyArray<readonly [name: string, kind: FieldKind]> = [
  ["username", "text"],
  ["password", "secret"],
  ["url", "url"],
]

/** The separator of the tags column. */
export const TAG_SEPARATOR = ";"

/** Parses a lanvault CSV export; a malformed `fields` cell fails the whole import. */
export function parseLanvaultCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, LANVAULT_CSV_COLUMNS.map((name) => [name]))
  return { drafts: rows.map((row) => rowDraft(row, header)), skipped: [] }
}

function rowDraft(row: CsvRow, header: Header): Draft {
  const cell = (name: string) => cellOf(row, header, name)
  const fields: Record<string, FieldValue> = {}
  for (const [name, kind] of COLUMN_FIELDS) if (cell(name) !== "") setOwn(fields, name, { value: cell(name), kind })
  const json = cell("fields").trim()
  const where = `line ${row.line}`
  const extra = json === "" ? {} : readFieldMap(fieldsJson(json, row.line), where)
  for (const [name, field] of Object.entries(extra)) setOwn(fields, name, field)
  return draftOf(row.line, {
    type: cell("type").trim() || "login",
    title: cell("title"),
    fields,
    notes: cell("notes"),
    tags: splitList(cell("tags"), new RegExp(TAG_SEPARATOR)),
    favorite: isTrue(cell("favorite")),
  })
}

function fieldsJson(json: string, line: number): unknown {
  try {
    return parseJsonText(json, FORMAT)
  } catch (error) {
    throw new LanvaultError("IMPORT_FAILED", `line ${line}: the "fields" column is not valid JSON: the file is damaged`, {
      cause: error,
      data: { line },
    })
  }
}
