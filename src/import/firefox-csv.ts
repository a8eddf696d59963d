/**
 * Firefox password CSV: `url,username,password,httpRealm,formActionOrigin,guid,
 * timeCreated,timeLastUsed,timePasswordChanged` (times in ms). Every row is a
 * login titled after its host; the realm of an HTTP-auth login and the form's
 * address are kept as fields; created and changed times are kept.
 */
import { cellOf, readTable, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, timeOf } from "./record-draft.js"
import type { FormatOutput } from "./types.js"

const FORMAT = "firefox-csv"
const REQUIRED = [["url"], ["username"], ["password"], ["httprealm"], ["formactionorigin"]] as const

/** Parses a Firefox password export. */
export function parseFirefoxCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  const drafts = rows.map((row) => {
    const cell = (name: string) => cellOf(row, header, name)
    const fields = new FieldBag()
    fields.add("username", cell("username"), "text")
    fields.add("password", cell("password"), "secret")
    fields.addUrls([cell("url")])
    fields.add("http-realm", cell("httprealm"), "text")
    if (cell("formactionorigin").trim() !== cell("url").trim()) fields.add("form-url", cell("formactionorigin").trim(), "url")
    return draftOf(row.line, {
      type: "login",
      title: "",
      fields: fields.result(),
      createdAt: timeOf(cell("timecreated")),
      updatedAt: timeOf(cell("timepasswordchanged")),
    })
  })
  return { drafts, skipped: [] }
}
