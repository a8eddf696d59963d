/**
 * Dashlane credentials CSV (`credentials.csv` of Dashlane's CSV export):
 * `username,username2,username3,title,password,note,url,category,otpUrl` (older
 * exports: `otpSecret`). The category becomes a tag; the second and third
 * usernames are kept as fields.
 */
import { cellOf, readTable, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, normaliseNewlines } from "./record-draft.js"
import type { FormatOutput } from "./types.js"

const FORMAT = "dashlane-csv"
const REQUIRED = [["username"], ["username2"], ["title"], ["password"], ["note"], ["url"]] as const

/** Parses a Dashlane credentials export. */
export function parseDashlaneCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  const drafts = rows.map((row) => {
    const cell = (...names: string[]) => cellOf(row, header, ...names)
    const fields = new FieldBag()
    fields.add("username", cell("username"), "text")
    fields.add("username2", cell("username2"), "text")
    fields.add("username3", cell("username3"), "text")
    fields.add("password", cell("password"), "secret")
    fields.addUrls([cell("url")])
    fields.add("totp", cell("otpurl", "otpsecret").trim(), "totp")
    return draftOf(row.line, {
      type: "login",
      title: cell("title"),
      fields: fields.result(),
      notes: normaliseNewlines(cell("note")),
      tags: [cell("category")],
    })
  })
  return { drafts, skipped: [] }
}
