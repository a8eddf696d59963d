/**
 * mSecure 5/6 CSV: no header; each row is `Title|ID,Type,Tag,Notes,Field|Kind|Value,…`
 * (some exports put the ID on the type instead: `Title,Type|ID,…`), e.g.
 * `Mail|1234,Login,Work,a note,Website|2|https://x,Username|7|ann,Password|8|pw,`.
 * Known field names map to lanvault's (Card Number -> number…); others keep their
 * name, secret when mSecure's kind is 8/9/12 or the name suggests it. Notes use
 * a literal "\n" for line breaks. The tag "Unassigned" means no tag.
 */
import type { FieldKind } from "../merge/types.js"
import { LanvaultError } from "../errors.js"
import { guessCsvFormat, headerOf, readCsv, type CsvRow, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, loginOrNote, looksSecret } from "./record-draft.js"
import type { Draft, FormatOutput } from "./types.js"

const FORMAT = "msecure-csv"
const FIXED_COLUMNS = 4
const NO_TAG = "unassigned"
const FIELD_CELL = /^([^|]*)\|(\d+)\|([\s\S]*)$/
const ID_SUFFIX = /\|\d+$/

const TYPES = new Map<string, string>([
  ["login", "login"], ["web logins", "login"], ["web login", "login"], ["email account", "login"],
  ["credit card", "card"], ["credit cards", "card"],
  ["secure note", "note"], ["secure notes", "note"], ["note", "note"], ["notes", "note"],
  ["identity", "identity"], ["contact", "identity"], ["contacts", "identity"],
  ["wi-fi", "wifi"], ["wifi", "wifi"], ["wireless", "wifi"], ["wireless router", "wifi"], ["wi-fi network", "wifi"],
])

const FIELDS = new Map<string, [string, FieldKind]>([
  ["website", ["url", "url"]], ["url", ["url", "url"]], ["web site", ["url", "url"]], ["login url", ["url", "url"]],
  ["username", ["username", "text"]], ["user name", ["username", "text"]], ["login", ["username", "text"]],
  ["password", ["password", "secret"]], ["wireless password", ["password", "secret"]], ["network password", ["password", "secret"]],
  ["email", ["email", "email"]], ["email address", ["email", "email"]],
  ["card number", ["number", "secret"]], ["number", ["number", "secret"]],
  ["expiration date", ["expiry", "text"]], ["expiration", ["expiry", "text"]], ["expiry", ["expiry", "text"]],
  ["security code", ["code", "secret"]], ["cvv", ["code", "secret"]], ["cvc", ["code", "secret"]],
  ["name on card", ["cardholder", "text"]], ["cardholder", ["cardholder", "text"]],
  ["pin", ["pin", "secret"]], ["issuing bank", ["bank", "text"]],
  ["phone number", ["phone", "phone"]], ["phone", ["phone", "phone"]], ["mobile", ["phone", "phone"]],
  ["ssid", ["ssid", "text"]], ["network name", ["ssid", "text"]],
  ["security", ["security", "text"]], ["security type", ["security", "text"]],
  ["one-time password", ["totp", "totp"]], ["totp", ["totp", "totp"]],
])
// mSecure's own field kinds: 2 URL, 4 phone, 8 password, 9 secure text (PIN, code), 12 card number.
const KIND_BY_NUMBER = new Map<string, FieldKind>([["2", "url"], ["4", "phone"], ["8", "secret"], ["9", "secret"], ["12", "secret"]])

/** Parses an mSecure CSV export. */
export function parseMsecureCsv(text: CsvSource): FormatOutput {
  const rows = readCsv(text, FORMAT)
  const guess = rows.length > 0 ? guessCsvFormat(headerOf(rows[0])) : undefined
  if (guess !== undefined) throw failure(1, `mSecure exports have no header row; it looks like ${guess}`)
  return { drafts: rows.map(rowDraft), skipped: [] }
}

function rowDraft(row: CsvRow): Draft {
  const [title, type, tag, notes] = row.cells
  if (row.cells.length < FIXED_COLUMNS) throw failure(row.line, `${row.cells.length} columns where mSecure rows have at least ${FIXED_COLUMNS}`)
  const fields = new FieldBag()
  row.cells.slice(FIXED_COLUMNS).forEach((cell, index) => {
    if (cell === "") return
    const match = FIELD_CELL.exec(cell)
    if (match === null) throw failure(row.line, `column ${FIXED_COLUMNS + index + 1} is not an mSecure "Name|Kind|Value" field`)
    addField(fields, match[1], match[2], match[3])
  })
  const sourceType = type.replace(ID_SUFFIX, "").trim()
  return draftOf(row.line, {
    type: TYPES.get(sourceType.toLowerCase()) ?? (sourceType === "" ? loginOrNote(fields) : kebab(sourceType)),
    title: title.replace(ID_SUFFIX, ""),
    fields: fields.result(),
    notes: notes.replaceAll("\\n", "\n"),
    tags: tag.trim().toLowerCase() === NO_TAG ? [] : [tag],
  })
}

function addField(fields: FieldBag, name: string, kindNumber: string, value: string): void {
  const known = FIELDS.get(name.trim().toLowerCase())
  if (known !== undefined) {
    fields.add(known[0], known[1] === "url" || known[1] === "totp" ? value.trim() : value, known[1])
    return
  }
  const kind = looksSecret(name) ? "secret" : (KIND_BY_NUMBER.get(kindNumber) ?? "text")
  fields.add(name, value, kind)
}

function kebab(type: string): string {
  return type.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || "note"
}

function failure(line: number, detail: string): LanvaultError {
  return new LanvaultError("IMPORT_FAILED", `line ${line}: not a ${FORMAT} file: ${detail}`, { data: { line } })
}
