/**
 * Chrome (and Edge, Brave…) password CSV: `name,url,username,password,note`
 * (`note` since Chrome 92; older exports lack it). Every row is a login.
 */
import { cellOf, readTable, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag } from "./record-draft.js"
import type { FormatOutput } from "./types.js"

const FORMAT = "chrome-csv"
const REQUIRED = [["name"], ["url"], ["username"], ["password"]] as const

/** Parses a Chrome password export. */
export function parseChromeCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  const drafts = rows.map((row) => {
    const fields = new FieldBag()
    fields.add("username", cellOf(row, header, "username"), "text")
    fields.add("password", cellOf(row, header, "password"), "secret")
    fields.addUrls([cellOf(row, header, "url")])
    return draftOf(row.line, {
      type: "login",
      title: cellOf(row, header, "name"),
      fields: fields.result(),
      notes: cellOf(row, header, "note", "notes"),
    })
  })
  return { drafts, skipped: [] }
}
