/**
 * KeePassXC CSV: `"Group","Title","Username","Password","URL","Notes","TOTP",
 * "Icon","Last Modified","Created"` (2.7; before 2.6 only the first six; the
 * two dates are kept). The
 * group path starts with the root group's name, which is dropped: "Root/Email"
 * becomes the tag "Email", "Root/Work/Mail" the tag "Work/Mail".
 */
import { cellOf, readTable, type CsvRow, type Header, type CsvSource } from "./csv-text.js"
import { draftOf, FieldBag, loginOrNote, splitList, timeOf } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

const FORMAT = "keepassxc-csv"
const REQUIRED = [["group"], ["title"], ["username"], ["password"], ["url"], ["notes"]] as const
const RECYCLE_BIN = "recycle bin"

/** Parses a KeePassXC CSV export; entries in the recycle bin are skipped. */
export function parseKeepassxcCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  for (const row of rows) {
    const groups = cellOf(row, header, "group").split("/").slice(1)
    if (groups[0]?.trim().toLowerCase() === RECYCLE_BIN) {
      skipped.push({ line: row.line, title: cellOf(row, header, "title"), reason: "in KeePassXC's recycle bin" })
    } else {
      drafts.push(entryDraft(row, header, groups.join("/")))
    }
  }
  return { drafts, skipped }
}

function entryDraft(row: CsvRow, header: Header, group: string): Draft {
  const fields = new FieldBag()
  fields.add("username", cellOf(row, header, "username"), "text")
  fields.add("password", cellOf(row, header, "password"), "secret")
  fields.addUrls([cellOf(row, header, "url")])
  fields.add("totp", cellOf(row, header, "totp").trim(), "totp")
  return draftOf(row.line, {
    type: loginOrNote(fields),
    title: cellOf(row, header, "title"),
    fields: fields.result(),
    notes: cellOf(row, header, "notes"),
    tags: [group, ...splitList(cellOf(row, header, "tags"), /[;,]/)],
    createdAt: timeOf(cellOf(row, header, "created")),
    updatedAt: timeOf(cellOf(row, header, "last modified")),
  })
}
