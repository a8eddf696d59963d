/**
 * LastPass CSV: `url,username,password,totp,extra,name,grouping,fav`. `extra` is
 * the note; `grouping` the folder path ("Work\Mail", becomes the tag
 * "Work/Mail"); `fav` 1 marks a favourite. Secure notes have the URL
 * `http://sn`; a structured one starts its note with `NoteType:Credit Card` and
 * lists `Key:Value` lines up to a final `Notes:` part, which become fields.
 * Rows with the URL `http://group` are empty folders, not entries.
 */
import { cellOf, readTable, type CsvRow, type Header, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, isTrue, looksSecret, normaliseNewlines } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

const FORMAT = "lastpass-csv"
const REQUIRED = [["url"], ["username"], ["password"], ["extra"], ["name"], ["grouping"]] as const
const NOTE_URL = "http://sn"
const FOLDER_URL = "http://group"

const NOTE_TYPES = new Map<string, string>([
  ["credit card", "card"], ["bank account", "card"], ["address", "identity"], ["passport", "identity"],
  ["driver's license", "identity"], ["social security", "identity"], ["wi-fi password", "wifi"], ["ssh key", "ssh-key"],
])

const NOTE_FIELDS = new Map<string, string>([
  ["name on card", "cardholder"], ["number", "number"], ["security code", "code"], ["expiration date", "expiry"],
  ["ssid", "ssid"], ["password", "password"], ["username", "username"], ["private key", "private-key"],
  ["public key", "public-key"], ["email address", "email"], ["phone", "phone"],
])

/** Parses a LastPass CSV export. */
export function parseLastpassCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  for (const row of rows) {
    const url = cellOf(row, header, "url").trim()
    if (url === FOLDER_URL) {
      skipped.push({ line: row.line, title: cellOf(row, header, "name"), reason: "a LastPass folder, not an entry (its entries get its name as a tag)" })
      continue
    }
    drafts.push(url === NOTE_URL ? noteDraft(row, header) : loginDraft(row, header))
  }
  return { drafts, skipped }
}

function loginDraft(row: CsvRow, header: Header): Draft {
  const fields = new FieldBag()
  fields.add("username", cellOf(row, header, "username"), "text")
  fields.add("password", cellOf(row, header, "password"), "secret")
  fields.addUrls([cellOf(row, header, "url")])
  fields.add("totp", cellOf(row, header, "totp").trim(), "totp")
  return draftOf(row.line, { type: "login", title: cellOf(row, header, "name"), fields: fields.result(), ...common(row, header), notes: normaliseNewlines(cellOf(row, header, "extra")) })
}

function noteDraft(row: CsvRow, header: Header): Draft {
  const extra = normaliseNewlines(cellOf(row, header, "extra"))
  const fields = new FieldBag()
  const match = /^NoteType:(.*)\n?/.exec(extra)
  if (match === null) return draftOf(row.line, { type: "note", title: cellOf(row, header, "name"), notes: extra, ...common(row, header) })
  const lines = extra.slice(match[0].length).split("\n")
  const notesAt = lines.findIndex((line) => line.startsWith("Notes:"))
  const fieldLines = notesAt === -1 ? lines : lines.slice(0, notesAt)
  for (const line of fieldLines) {
    const colon = line.indexOf(":")
    if (colon <= 0) continue
    const label = line.slice(0, colon).trim()
    if (label === "Language" || label === "NoteType") continue
    const name = NOTE_FIELDS.get(label.toLowerCase()) ?? label
    fields.add(name, line.slice(colon + 1), looksSecret(label) || name === "number" || name === "code" ? "secret" : "text")
  }
  const notes = notesAt === -1 ? "" : [lines[notesAt].slice("Notes:".length), ...lines.slice(notesAt + 1)].join("\n")
  const type = NOTE_TYPES.get(match[1].trim().toLowerCase()) ?? "note"
  return draftOf(row.line, { type, title: cellOf(row, header, "name"), fields: fields.result(), notes, ...common(row, header) })
}

function common(row: CsvRow, header: Header): { tags: string[]; favorite: boolean } {
  const group = cellOf(row, header, "grouping").replaceAll("\\", "/").trim()
  return { tags: group === "" ? [] : [group], favorite: isTrue(cellOf(row, header, "fav")) }
}
