/**
 * Bitwarden CSV: `folder,favorite,type,name,notes,fields,reprompt,login_uri,
 * login_username,login_password,login_totp` (an organization export has
 * `collections` instead of `folder`). Only logins and secure notes are in it.
 * Several URIs share `login_uri`, comma-separated; custom fields are
 * "name: value" lines in `fields`, where hidden ones are no longer marked, so a
 * field whose name suggests a secret ("PIN", "API key"…) becomes a secret.
 */
import { cellOf, readTable, type CsvRow, type Header, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, isTrue, loginOrNote, looksSecret, splitList } from "./record-draft.js"
import type { Draft, FormatOutput } from "./types.js"

const FORMAT = "bitwarden-csv"
const REQUIRED = [["type"], ["name"], ["notes"], ["fields"], ["login_uri"], ["login_username"], ["login_password"]] as const

/** Parses a Bitwarden CSV export. */
export function parseBitwardenCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  return { drafts: rows.map((row) => itemDraft(row, header)), skipped: [] }
}

function itemDraft(row: CsvRow, header: Header): Draft {
  const cell = (name: string) => cellOf(row, header, name)
  const fields = new FieldBag()
  fields.add("username", cell("login_username"), "text")
  fields.add("password", cell("login_password"), "secret")
  fields.addUrls(splitList(cell("login_uri"), /[,\n]/))
  fields.add("totp", cell("login_totp").trim(), "totp")
  addCustomFields(fields, cell("fields"))
  return draftOf(row.line, {
    type: typeOf(cell("type"), fields),
    title: cell("name"),
    fields: fields.result(),
    notes: cell("notes"),
    tags: [cell("folder"), ...splitList(cell("collections"), /,/)],
    favorite: isTrue(cell("favorite")),
  })
}

function typeOf(type: string, fields: FieldBag): string {
  const name = type.trim().toLowerCase()
  if (name === "" || name === "1") return loginOrNote(fields)
  if (name === "2" || name === "securenote" || name === "secure note") return "note"
  return name
}

/** Adds the "name: value" lines of a Bitwarden CSV `fields` cell. */
export function addCustomFields(fields: FieldBag, cell: string): void {
  for (const line of cell.split("\n")) {
    if (line.trim() === "") continue
    const colon = line.indexOf(": ")
    const name = colon === -1 ? line.trim() : line.slice(0, colon).trim()
    const value = colon === -1 ? "" : line.slice(colon + 2)
    fields.add(name, value, looksSecret(name) ? "secret" : "text")
  }
}
