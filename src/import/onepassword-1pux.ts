/**
 * 1Password 8 `.1pux` export: a ZIP holding `export.attributes` and
 * `export.data` (JSON: accounts[].vaults[].items[]). Each item has a category
 * (001 login, 002 card, 003 secure note, 004 identity, 005 password, 006
 * document, 109 Wi-Fi, 114 SSH key…), `overview` (title, urls, tags) and
 * `details` (loginFields, notesPlain, sections of typed fields, passwordHistory).
 * Vault names and 1Password tags become tags; concealed fields become secrets,
 * TOTP fields `totp`; every URL is kept; password history becomes history;
 * archived items get the tag "archived"; documents, files and passkeys are
 * named as not carried.
 */
import { LanvaultError } from "../errors.js"
import type { FieldKind, HistoryEntry } from "../merge/types.js"
import { decodeUtf8 } from "./decode-text.js"
import { asArray, asObject, parseJsonText, textOf } from "./json-text.js"
import { draftOf, FieldBag, normaliseNewlines, timeOf } from "./record-draft.js"
import type { Draft, FormatOutput } from "./types.js"
import { readZipMembers } from "./zip-reader.js"

const WHAT = "the 1PUX file"
const REQUIRED_MEMBERS = ["export.attributes", "export.data"]
type Obj = Record<string, unknown> | undefined

const CATEGORIES = new Map([
  ["001", "login"], ["002", "card"], ["003", "note"], ["004", "identity"], ["005", "login"], ["006", "document"],
  ["101", "card"], ["103", "identity"], ["106", "identity"], ["108", "identity"], ["109", "wifi"], ["111", "login"], ["114", "ssh-key"],
])
const CARD_NAMES = new Map([["cardholder", "cardholder"], ["ccnum", "number"], ["cvv", "code"], ["expiry", "expiry"], ["type", "brand"], ["pin", "pin"]])

/** Parses a 1Password 1PUX export. */
export function parseOnePassword1pux(bytes: Uint8Array): FormatOutput {
  const members = readZipMembers(bytes, WHAT, (name) => REQUIRED_MEMBERS.includes(name))
  const missing = REQUIRED_MEMBERS.filter((name) => members[name] === undefined)
  if (missing.length > 0) throw failure(`${WHAT} has no ${missing.join(" and no ")} member: it is incomplete; export it again from 1Password`)
  const root = asObject(parseJsonText(decodeUtf8(members["export.data"]), "1PUX export.data"))
  if (root === undefined || !Array.isArray(root.accounts)) throw failure('the 1PUX export.data has no "accounts" list: the file is damaged')
  const drafts: Draft[] = []
  for (const account of root.accounts.map(asObject)) {
    for (const vault of asArray(account?.vaults).map(asObject)) {
      const vaultName = textOf(asObject(vault?.attrs), "name")
      for (const item of asArray(vault?.items).map(asObject)) if (item !== undefined) drafts.push(itemDraft(item, vaultName))
    }
  }
  return { drafts, skipped: [] }
}

function itemDraft(item: Record<string, unknown>, vaultName: string): Draft {
  const details = asObject(item.details)
  const overview = asObject(item.overview)
  const category = textOf(item, "categoryUuid")
  const fields = new FieldBag()
  const notCarried: string[] = []
  for (const field of asArray(details?.loginFields).map(asObject)) {
    const designation = textOf(field, "designation")
    const name = designation === "username" || designation === "password" ? designation : textOf(field, "name") || "field"
    fields.add(name, textOf(field, "value"), textOf(field, "fieldType") === "P" || designation === "password" ? "secret" : "text")
  }
  fields.add("password", textOf(details, "password"), "secret")
  const urls = asArray(overview?.urls).map((entry) => textOf(asObject(entry), "url"))
  fields.addUrls(urls.length > 0 ? urls : [textOf(overview, "url")])
  for (const section of asArray(details?.sections).map(asObject)) {
    for (const field of asArray(section?.fields).map(asObject)) addSectionField(fields, field, category, notCarried)
  }
  const documentName = textOf(asObject(details?.documentAttributes), "fileName")
  if (documentName !== "") notCarried.push(`attachment ${documentName}`)
  const history: HistoryEntry[] = asArray(details?.passwordHistory)
    .map(asObject)
    .map((entry) => ({ field: "password", value: textOf(entry, "value"), kind: "secret" as const, changedAt: timeOf(entry?.time) ?? 0, reason: "edited" as const }))
    .filter((entry) => entry.value !== "")
  const tags = [vaultName, ...asArray(overview?.tags).map((tag) => (typeof tag === "string" ? tag : ""))]
  if (textOf(item, "state") === "archived") tags.push("archived")
  return draftOf(
    undefined,
    {
      type: CATEGORIES.get(category) ?? "note",
      title: textOf(overview, "title"),
      fields: fields.result(),
      notes: normaliseNewlines(textOf(details, "notesPlain")),
      tags,
      favorite: Number(item.favIndex) > 0,
      createdAt: timeOf(item.createdAt),
      updatedAt: timeOf(item.updatedAt),
      history,
    },
    notCarried,
  )
}

function addSectionField(fields: FieldBag, field: Obj, category: string, notCarried: string[]): void {
  const value = asObject(field?.value) ?? {}
  const [type, raw] = Object.entries(value)[0] ?? ["string", ""]
  const label = textOf(field, "title") || textOf(field, "id") || type
  const name = category === "002" ? (CARD_NAMES.get(textOf(field, "id")) ?? label) : label
  if (type === "passkey") {
    notCarried.push(`passkey for ${textOf(asObject(raw), "rpId") || "a site"}`)
    return
  }
  if (type === "file") {
    notCarried.push(`attachment ${textOf(asObject(asObject(raw)?.fileAttributes), "fileName") || label}`)
    return
  }
  const [text, kind] = valueOf(type, raw)
  fields.add(name, text, kind)
}

function valueOf(type: string, raw: unknown): [string, FieldKind] {
  const object = asObject(raw)
  const scalar = typeof raw === "string" || typeof raw === "number" ? String(raw) : ""
  switch (type) {
    case "concealed": case "creditCardNumber": return [scalar, "secret"]
    case "totp": return [scalar, "totp"]
    case "url": return [scalar, "url"]
    case "phone": return [scalar, "phone"]
    case "email": return [object === undefined ? scalar : textOf(object, "email_address"), "email"]
    case "date": return [typeof raw === "number" ? new Date(raw * 1000).toISOString().slice(0, 10) : scalar, "date"]
    case "monthYear": return [/^\d{6}$/.test(scalar) ? `${scalar.slice(4)}/${scalar.slice(0, 4)}` : scalar, "text"]
    case "address": return [["street", "city", "state", "zip", "country"].map((key) => textOf(object, key)).filter((part) => part !== "").join("\n"), "text"]
    case "sshKey": return [textOf(object, "privateKey"), "secret"]
    default: return [scalar || (object === undefined ? "" : JSON.stringify(object)), "text"]
  }
}

function failure(message: string): LanvaultError {
  return new LanvaultError("IMPORT_FAILED", message)
}
