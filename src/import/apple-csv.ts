/**
 * Apple Passwords (and Safari) CSV: `Title,URL,Username,Password,Notes,OTPAuth`.
 * Every row is a login; `OTPAuth` holds an `otpauth://` URI.
 */
import { cellOf, readTable, wrongFormat, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, normaliseNewlines } from "./record-draft.js"
import type { FormatOutput } from "./types.js"

const FORMAT = "apple-csv"
// OTPAuth (last) is not required: a row may lack the trailing Notes and OTPAuth cells.
const REQUIRED = [["title"], ["url"], ["username"], ["password"]] as const

/** Parses an Apple Passwords export. */
export function parseAppleCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  // The OTPAuth column tells Apple's header from others with the same first four (KeePassXC's).
  if (!header.has("otpauth")) throw wrongFormat(header, FORMAT, 'its header lacks "otpauth"')
  const drafts = rows.map((row) => {
    const cell = (name: string) => cellOf(row, header, name)
    const fields = new FieldBag()
    fields.add("username", cell("username"), "text")
    fields.add("password", cell("password"), "secret")
    fields.addUrls([cell("url")])
    fields.add("totp", cell("otpauth").trim(), "totp")
    return draftOf(row.line, { type: "login", title: cell("title"), fields: fields.result(), notes: normaliseNewlines(cell("notes")) })
  })
  return { drafts, skipped: [] }
}
