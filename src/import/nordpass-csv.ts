/**
 * NordPass CSV: `name,url,additional_urls,username,password,note,cardholdername,
 * cardnumber,cvc,pin,expirydate,zipcode,folder,full_name,phone_number,email,
 * address1,address2,city,country,state,type,custom_fields`. `type` is password,
 * note, credit_card or identity; rows of type folder only name a folder (its
 * entries get it as a tag). `additional_urls` and `custom_fields` are JSON lists;
 * a custom field of type hidden is a secret.
 */
import { LanvaultError } from "../errors.js"
import { cellOf, readTable, type CsvRow, type Header, type CsvSource } from "./csv-text.js"
import { asArray, asObject, textOf } from "./json-text.js"
import { draftOf, FieldBag, normaliseNewlines } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

const FORMAT = "nordpass-csv"
const REQUIRED = [["name"], ["url"], ["username"], ["password"], ["note"], ["cardnumber"], ["folder"], ["type"]] as const
const TYPES = new Map([["password", "login"], ["note", "note"], ["credit_card", "card"], ["identity", "identity"]])

/** Parses a NordPass export. */
export function parseNordpassCsv(text: CsvSource): FormatOutput {
  const { header, rows } = readTable(text, FORMAT, REQUIRED)
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  for (const row of rows) {
    const kind = cellOf(row, header, "type").trim().toLowerCase()
    if (kind === "folder") {
      skipped.push({ line: row.line, title: cellOf(row, header, "name"), reason: "a NordPass folder, not an entry (its entries get its name as a tag)" })
      continue
    }
    drafts.push(rowDraft(row, header, TYPES.get(kind) ?? (kind === "" ? "login" : kind)))
  }
  return { drafts, skipped }
}

function rowDraft(row: CsvRow, header: Header, type: string): Draft {
  const cell = (name: string) => cellOf(row, header, name)
  const fields = new FieldBag()
  fields.add("username", cell("username"), "text")
  fields.add("password", cell("password"), "secret")
  fields.addUrls([cell("url"), ...jsonList(cell("additional_urls"), row.line).map((value) => (typeof value === "string" ? value : ""))])
  fields.add("cardholder", cell("cardholdername"), "text")
  fields.add("number", cell("cardnumber"), "secret")
  fields.add("code", cell("cvc"), "secret")
  fields.add("pin", cell("pin"), "secret")
  fields.add("expiry", cell("expirydate"), "text")
  fields.add("postal-code", cell("zipcode"), "text")
  fields.add("name", cell("full_name"), "text")
  fields.add("phone", cell("phone_number"), "phone")
  fields.add("email", cell("email"), "email")
  fields.add("address", [cell("address1"), cell("address2")].filter((part) => part.trim() !== "").join("\n"), "text")
  fields.add("city", cell("city"), "text")
  fields.add("state", cell("state"), "text")
  fields.add("country", cell("country"), "text")
  for (const value of jsonList(cell("custom_fields"), row.line)) {
    const field = asObject(value)
    fields.add(textOf(field, "label"), textOf(field, "value"), textOf(field, "type") === "hidden" ? "secret" : "text")
  }
  return draftOf(row.line, { type, title: cell("name"), fields: fields.result(), notes: normaliseNewlines(cell("note")), tags: [cell("folder")] })
}

function jsonList(cell: string, line: number): unknown[] {
  if (cell.trim() === "") return []
  try {
    return asArray(JSON.parse(cell))
  } catch (cause) {
    throw new LanvaultError("IMPORT_FAILED", `line ${line}: a JSON list cell (additional_urls or custom_fields) is damaged`, { cause, data: { line } })
  }
}
