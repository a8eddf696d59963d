/**
 * Bitwarden JSON (unencrypted export): `folders[]`, `collections[]` (organization
 * exports) and `items[]` with `type` 1 login, 2 secure note, 3 card, 4 identity,
 * 5 SSH key. Folder and collection names become tags; custom `fields[]` of type 0
 * (text) and 2 (boolean) stay text, type 1 (hidden) becomes a secret, and linked
 * fields (type 3) are dropped since they only point at another field. Password
 * history and passkeys are not imported. Items in Bitwarden's trash are skipped.
 */
import { LanvaultError } from "../errors.js"
import { asArray, asObject, numberOf, parseJsonText, textOf } from "./json-text.js"
import { draftOf, FieldBag, normaliseNewlines } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

const FORMAT = "bitwarden-json"
type Item = Record<string, unknown>
type ItemReader = (fields: FieldBag, item: Item) => void

const READERS: Record<number, { type: string; read: ItemReader }> = {
  1: { type: "login", read: readLogin },
  2: { type: "note", read: () => undefined },
  3: { type: "card", read: readCard },
  4: { type: "identity", read: readIdentity },
  5: { type: "ssh-key", read: readSshKey },
}

/** Parses an unencrypted Bitwarden JSON export; an encrypted one throws `IMPORT_FAILED`. */
export function parseBitwardenJson(text: string): FormatOutput {
  const root = asObject(parseJsonText(text, FORMAT))
  if (root?.encrypted === true) {
    throw failure("this Bitwarden export is encrypted: export the vault again as .json without encryption, then import that")
  }
  if (root === undefined || !Array.isArray(root.items)) throw failure(`not a ${FORMAT} file: it has no "items" list`)
  const tagsById = new Map([...namesById(root.folders), ...namesById(root.collections)])
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  root.items.forEach((value, index) => {
    const item = asObject(value)
    if (item === undefined) throw failure(`item ${index + 1} is not an object: the file is damaged`)
    const outcome = itemDraft(item, tagsById)
    if ("reason" in outcome) skipped.push(outcome)
    else drafts.push(outcome)
  })
  return { drafts, skipped }
}

function itemDraft(item: Item, tagsById: Map<string, string>): Draft | SkippedEntry {
  const title = textOf(item, "name")
  const type = numberOf(item.type)
  const reader = Object.hasOwn(READERS, type) ? READERS[type] : undefined
  if (typeof item.deletedDate === "string" && item.deletedDate !== "") return { title, reason: "in Bitwarden's trash" }
  if (reader === undefined) return { title, reason: `unsupported Bitwarden item type ${Number.isNaN(type) ? "(none)" : type}` }
  const fields = new FieldBag()
  reader.read(fields, item)
  addCustomFields(fields, item.fields)
  const ids = [item.folderId, ...asArray(item.collectionIds)].filter((id): id is string => typeof id === "string")
  return draftOf(undefined, {
    type: reader.type,
    title,
    fields: fields.result(),
    notes: normaliseNewlines(textOf(item, "notes")),
    tags: ids.map((id) => tagsById.get(id) ?? ""),
    favorite: item.favorite === true,
  })
}

function readLogin(fields: FieldBag, item: Item): void {
  const login = asObject(item.login)
  fields.add("username", textOf(login, "username"), "text")
  fields.add("password", textOf(login, "password"), "secret")
  fields.addUrls(asArray(login?.uris).map((uri) => textOf(asObject(uri), "uri")))
  fields.add("totp", textOf(login, "totp").trim(), "totp")
}

function readCard(fields: FieldBag, item: Item): void {
  const card = asObject(item.card)
  const month = textOf(card, "expMonth").trim()
  const year = textOf(card, "expYear").trim()
  fields.add("cardholder", textOf(card, "cardholderName"), "text")
  fields.add("number", textOf(card, "number"), "secret")
  fields.add("expiry", [/^\d$/.test(month) ? `0${month}` : month, year].filter((part) => part !== "").join("/"), "text")
  fields.add("code", textOf(card, "code"), "secret")
  fields.add("brand", textOf(card, "brand"), "text")
}

function readIdentity(fields: FieldBag, item: Item): void {
  const identity = asObject(item.identity)
  const text = (key: string) => textOf(identity, key).trim()
  const join = (keys: string[], separator: string) => keys.map(text).filter((part) => part !== "").join(separator)
  fields.add("name", join(["title", "firstName", "middleName", "lastName"], " "), "text")
  fields.add("company", text("company"), "text")
  fields.add("email", text("email"), "email")
  fields.add("phone", text("phone"), "phone")
  fields.add("address", join(["address1", "address2", "address3"], "\n"), "text")
  fields.add("city", text("city"), "text")
  fields.add("state", text("state"), "text")
  fields.add("postal-code", text("postalCode"), "text")
  fields.add("country", text("country"), "text")
  fields.add("username", text("username"), "text")
  fields.add("ssn", text("ssn"), "secret")
  fields.add("passport", text("passportNumber"), "secret")
  fields.add("license", text("licenseNumber"), "secret")
}

function readSshKey(fields: FieldBag, item: Item): void {
  const key = asObject(item.sshKey)
  fields.add("private-key", textOf(key, "privateKey"), "secret")
  fields.add("public-key", textOf(key, "publicKey"), "text")
  fields.add("fingerprint", textOf(key, "keyFingerprint"), "text")
}

function addCustomFields(fields: FieldBag, list: unknown): void {
  for (const entry of asArray(list)) {
    const field = asObject(entry)
    const type = numberOf(field?.type ?? 0)
    if (type === 3) continue
    fields.add(textOf(field, "name"), textOf(field, "value"), type === 1 ? "secret" : "text")
  }
}

function namesById(list: unknown): Array<[string, string]> {
  return asArray(list)
    .map(asObject)
    .filter((entry) => typeof entry?.id === "string")
    .map((entry) => [textOf(entry, "id"), textOf(entry, "name")])
}

function failure(message: string): LanvaultError {
  return new LanvaultError("IMPORT_FAILED", message)
}
