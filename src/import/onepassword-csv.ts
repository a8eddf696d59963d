/**
 * 1Password CSV. 1Password 8 writes `Title,Url,Username,Password,OTPAuth,
 * Favorite,Archived,Tags,Notes`; 1Password 7 let people pick columns, so headers
 * are matched case-insensitively with the aliases below; other columns become
 * fields named after them (lower-cased), secret when the name suggests it.
 * Tags are separated by ";". Archived items keep the tag "archived".
 */
import { cellOf, readTable, wrongFormat, type CsvRow, type Header, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, isTrue, loginOrNote, looksSecret, splitList } from "./record-draft.js"
import type { Draft, FormatOutput } from "./types.js"

const FORMAT = "1password-csv"
const ARCHIVED_TAG = "archived"
const COLUMNS = {
  title: ["title"],
  url: ["url", "urls", "website", "login url"],
  username: ["username", "user name", "login username"],
  password: ["password", "login password"],
  totp: ["otpauth", "one-time password", "totp"],
  notes: ["notes", "notesplain", "note"],
} as const
const MAPPED = new Set<string>([...Object.values(COLUMNS).flat(), "favorite", "archived", "tags", "type"])
// Columns only other formats have: such a file is not a 1Password export.
const FOREIGN_COLUMNS = ["group", "login_username", "login_password"]

/** Parses a 1Password CSV export. */
export function parseOnePasswordCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, [COLUMNS.title, COLUMNS.password])
  const foreign = FOREIGN_COLUMNS.find((name) => header.has(name))
  if (foreign !== undefined) throw wrongFormat(header, FORMAT, `1Password exports have no "${foreign}" column`)
  return { drafts: rows.map((row) => itemDraft(row, header)), skipped: [] }
}

function itemDraft(row: CsvRow, header: Header): Draft {
  const cell = (names: readonly string[]) => cellOf(row, header, ...names)
  const fields = new FieldBag()
  fields.add("username", cell(COLUMNS.username), "text")
  fields.add("password", cell(COLUMNS.password), "secret")
  fields.addUrls([cell(COLUMNS.url)])
  fields.add("totp", cell(COLUMNS.totp).trim(), "totp")
  // 1Password 7 lets people export any columns: those not mapped above are kept as fields, never dropped.
  for (const [name, index] of header) {
    if (!MAPPED.has(name) && name !== "") fields.add(name, row.cells[index] ?? "", looksSecret(name) ? "secret" : "text")
  }
  const archived = isTrue(cellOf(row, header, "archived"))
  return draftOf(row.line, {
    type: loginOrNote(fields),
    title: cell(COLUMNS.title),
    fields: fields.result(),
    notes: cell(COLUMNS.notes),
    tags: [...splitList(cellOf(row, header, "tags"), /;/), ...(archived ? [ARCHIVED_TAG] : [])],
    favorite: isTrue(cellOf(row, header, "favorite")),
  })
}
