/**
 * Bitwarden JSON (unencrypted export): `folders[]`, `collections[]` (organization
 * exports) and `items[]` with `type` 1 login, 2 secure note, 3 card, 4 identity,
 * 5 SSH key. Folder and collection names become tags; custom `fields[]` of type 0
 * (text) and 2 (boolean) stay text, type 1 (hidden) becomes a secret, and linked
 * fields (type 3) are dropped since they only point at another field. Password
 * history becomes record history, creation and revision dates are kept, a URI's
 * match rule is kept as a field ("url match"), identity name parts stay apart.
 * Passkeys and attachments cannot be carried and are named per entry. Items in
 * Bitwarden's trash are skipped. The `lanvault:tags` / `lanvault:type` custom
 * fields of a lanvault export become tags and type again.
 */
import { LanvaultError } from "../errors.js"
import { asArray, asObject, numberOf, parseJsonText, textOf } from "./json-text.js"
import type { HistoryEntry } from "../merge/types.js"
import { BITWARDEN_TAGS_FIELD, BITWARDEN_TYPE_FIELD, CARD_FIELDS, IDENTITY_FIELDS, IDENTITY_KINDS, SSH_FIELDS } from "./bitwarden-fields.js"
import { draftOf, FieldBag, normaliseNewlines, timeOf } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

const FORMAT = "bitwarden-json"
// Bitwarden's UriMatchType: 0 domain (the default, so not kept), 1 host, 2 starts with, 3 exact, 4 regex, 5 never.
const MATCH_RULES: Record<number, string> = { 1: "host", 2: "starts with", 3: "exact", 4: "regular expression", 5: "never" }
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
  const extra = addCustomFields(fields, item.fields)
  const ids = [item.folderId, ...asArray(item.collectionIds)].filter((id): id is string => typeof id === "string")
  return draftOf(
    undefined,
    {
      type: extra.type ?? reader.type,
      title,
      fields: fields.result(),
      notes: normaliseNewlines(textOf(item, "notes")),
      tags: [...ids.map((id) => tagsById.get(id) ?? ""), ...extra.tags],
      favorite: item.favorite === true,
      createdAt: timeOf(item.creationDate),
      updatedAt: timeOf(item.revisionDate),
      history: passwordHistory(item.passwordHistory),
    },
    notCarried(item),
  )
}

function passwordHistory(list: unknown): HistoryEntry[] {
  return asArray(list)
    .map(asObject)
    .map((entry) => ({ field: "password", value: textOf(entry, "password"), kind: "secret" as const, changedAt: timeOf(entry?.lastUsedDate) ?? 0, reason: "edited" as const }))
    .filter((entry) => entry.value !== "")
}

function notCarried(item: Item): string[] {
  const passkeys = asArray(asObject(item.login)?.fido2Credentials).map((key) => `passkey for ${textOf(asObject(key), "rpId") || "a site"}`)
  const files = asArray(item.attachments).map((file) => `attachment ${textOf(asObject(file), "fileName") || "(unnamed)"}`)
  return [...passkeys, ...files]
}

function readLogin(fields: FieldBag, item: Item): void {
  const login = asObject(item.login)
  fields.add("username", textOf(login, "username"), "text")
  fields.add("password", textOf(login, "password"), "secret")
  for (const entry of asArray(login?.uris).map(asObject)) {
    const name = fields.add("url", textOf(entry, "uri").trim(), "url")
    const match = MATCH_RULES[numberOf(entry?.match)]
    if (name !== undefined && match !== undefined) fields.add(`${name} match`, match, "text")
  }
  fields.add("totp", textOf(login, "totp").trim(), "totp")
}

function readCard(fields: FieldBag, item: Item): void {
  const card = asObject(item.card)
  const month = textOf(card, "expMonth").trim()
  const year = textOf(card, "expYear").trim()
  for (const [key, name] of CARD_FIELDS) fields.add(name, textOf(card, key), name === "number" || name === "code" ? "secret" : "text")
  fields.add("expiry", [/^\d$/.test(month) ? `0${month}` : month, year].filter((part) => part !== "").join("/"), "text")
}

function readIdentity(fields: FieldBag, item: Item): void {
  const identity = asObject(item.identity)
  for (const [key, name] of IDENTITY_FIELDS) fields.add(name, textOf(identity, key).trim(), IDENTITY_KINDS[name] ?? "text")
}

function readSshKey(fields: FieldBag, item: Item): void {
  const key = asObject(item.sshKey)
  for (const [bitwarden, name] of SSH_FIELDS) fields.add(name, textOf(key, bitwarden), name === "private-key" ? "secret" : "text")
}

function addCustomFields(fields: FieldBag, list: unknown): { type?: string; tags: string[] } {
  const extra: { type?: string; tags: string[] } = { tags: [] }
  for (const entry of asArray(list)) {
    const field = asObject(entry)
    const type = numberOf(field?.type ?? 0)
    const name = textOf(field, "name")
    if (type === 3) continue
    if (name === BITWARDEN_TYPE_FIELD && textOf(field, "value").trim() !== "") extra.type = textOf(field, "value").trim()
    else if (name === BITWARDEN_TAGS_FIELD && tagList(textOf(field, "value")) !== undefined) extra.tags = tagList(textOf(field, "value"))!
    else fields.add(name, textOf(field, "value"), type === 1 ? "secret" : "text")
  }
  return extra
}

function tagList(text: string): string[] | undefined {
  try {
    const list: unknown = JSON.parse(text)
    return Array.isArray(list) && list.every((tag) => typeof tag === "string") ? list : undefined
  } catch {
    return undefined
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
