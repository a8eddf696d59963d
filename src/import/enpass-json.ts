/**
 * Enpass JSON export: `folders[]` ({uuid, title, parent_uuid}) and `items[]`
 * ({title, category, template_type, note, favorite, folders[], fields[],
 * attachments[], createdAt, updated_at, trashed, archived}). Each field has a
 * label, a type (username, password, url, totp, email, phone, ccNumber…) and
 * a `sensitive` flag, which makes it a secret. Folders become tags (nested
 * ones as "Parent/Child"); trashed items are skipped; archived ones get the tag
 * "archived"; attachments are named as not carried.
 */
import { LanvaultError } from "../errors.js"
import type { FieldKind, HistoryEntry } from "../merge/types.js"
import { asArray, asObject, numberOf, parseJsonText, textOf } from "./json-text.js"
import { draftOf, FieldBag, loginOrNote, normaliseNewlines, timeOf } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

const FORMAT = "enpass-json"
type Item = Record<string, unknown>

const CATEGORIES = new Map([["login", "login"], ["password", "login"], ["creditcard", "card"], ["note", "note"], ["identity", "identity"]])
const FIELD_TYPES = new Map<string, [name: string, kind: FieldKind]>([
  ["username", ["username", "text"]], ["password", ["password", "secret"]], ["url", ["url", "url"]], ["totp", ["totp", "totp"]],
  ["email", ["email", "email"]], ["phone", ["phone", "phone"]], ["date", ["", "date"]], ["numeric", ["", "number"]],
  ["ccname", ["cardholder", "text"]], ["ccnumber", ["number", "secret"]], ["cccvc", ["code", "secret"]], ["ccpin", ["pin", "secret"]],
  ["ccexpiry", ["expiry", "text"]], ["cctype", ["brand", "text"]], ["pin", ["", "secret"]],
])

/** Parses an Enpass JSON export. */
export function parseEnpassJson(text: string): FormatOutput {
  const root = asObject(parseJsonText(text, FORMAT))
  if (root === undefined || !Array.isArray(root.items)) throw failure('not an Enpass export: it has no "items" list')
  if (root.items.length > 0 && !root.items.some((item) => typeof asObject(item)?.category === "string")) {
    throw failure('not an Enpass export: its items have no "category" (a Bitwarden export? use --format bitwarden-json)')
  }
  const folders = folderPaths(root.folders)
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  root.items.forEach((value, index) => {
    const item = asObject(value)
    if (item === undefined) throw failure(`item ${index + 1} is not an object: the file is damaged`)
    if (numberOf(item.trashed) === 1) skipped.push({ title: textOf(item, "title"), reason: "in Enpass's trash" })
    else drafts.push(itemDraft(item, folders))
  })
  return { drafts, skipped }
}

function itemDraft(item: Item, folders: Map<string, string>): Draft {
  const fields = new FieldBag()
  const history: HistoryEntry[] = []
  for (const value of asArray(item.fields)) {
    const field = asObject(value)
    const type = textOf(field, "type").toLowerCase()
    if (field === undefined || type === "section" || numberOf(field.deleted) === 1) continue
    const label = textOf(field, "label").trim()
    const [name, kind] = FIELD_TYPES.get(type) ?? ["", "text"]
    const secret = numberOf(field.sensitive) === 1 && kind === "text" ? "secret" : kind
    const added = fields.add(fieldName(name, label, fields), textOf(field, "value"), secret)
    for (const old of asArray(field.history).map(asObject)) {
      if (added !== undefined && textOf(old, "value") !== "") {
        history.push({ field: added, value: textOf(old, "value"), kind: secret, changedAt: timeOf(old?.updated_at) ?? 0, reason: "edited" })
      }
    }
  }
  const category = textOf(item, "category").toLowerCase()
  const template = textOf(item, "template_type").toLowerCase()
  const type = template.includes("wifi") ? "wifi" : (CATEGORIES.get(category) ?? (fields.isEmpty() ? "note" : loginOrNote(fields)))
  const tags = asArray(item.folders).map((id) => folders.get(String(id)) ?? "")
  if (numberOf(item.archived) === 1) tags.push("archived")
  const attachments = asArray(item.attachments).map((file) => `attachment ${textOf(asObject(file), "name") || "(unnamed)"}`)
  return draftOf(
    undefined,
    {
      type,
      title: textOf(item, "title"),
      fields: fields.result(),
      notes: normaliseNewlines(textOf(item, "note")),
      tags: [...tags, ...asArray(item.tags).map((tag) => (typeof tag === "string" ? tag : textOf(asObject(tag), "title")))],
      favorite: numberOf(item.favorite) === 1,
      createdAt: timeOf(item.createdAt),
      updatedAt: timeOf(item.updated_at),
      history,
    },
    attachments,
  )
}

// A typed field takes lanvault's name the first time (username, password…); later ones and untyped ones keep their label.
function fieldName(name: string, label: string, fields: FieldBag): string {
  if (name !== "" && fields.value(name) === "") return name
  return label || name || "field"
}

function folderPaths(list: unknown): Map<string, string> {
  const byId = new Map<string, { title: string; parent: string }>()
  for (const folder of asArray(list).map(asObject)) {
    if (folder !== undefined) byId.set(textOf(folder, "uuid"), { title: textOf(folder, "title"), parent: textOf(folder, "parent_uuid") })
  }
  const paths = new Map<string, string>()
  for (const id of byId.keys()) {
    const parts: string[] = []
    const seen = new Set<string>()
    for (let at = byId.get(id); at !== undefined && !seen.has(at.title + at.parent); at = byId.get(at.parent)) {
      seen.add(at.title + at.parent)
      parts.unshift(at.title)
    }
    paths.set(id, parts.join("/"))
  }
  return paths
}

function failure(message: string): LanvaultError {
  return new LanvaultError("IMPORT_FAILED", message)
}
