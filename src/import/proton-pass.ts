/**
 * Proton Pass export, as `data.json` or the ZIP holding `Proton Pass/data.json`:
 * `{ encrypted, vaults: { id: { name, items: [{ data: { type, metadata: { name,
 * note }, content, extraFields }, state, pinned, createTime, modifyTime }] } } }`.
 * Vault names become tags; pinned items are favourites; extra fields keep their
 * type (hidden -> secret, totp -> totp); logins keep every URL, email and
 * username; cards, identities, Wi-Fi and SSH keys map to lanvault types;
 * aliases become logins holding the alias address. Trashed items (state 2) are
 * skipped; passkeys and attachments are named as not carried.
 */
import { LanvaultError } from "../errors.js"
import type { FieldKind } from "../merge/types.js"
import { decodeUtf8 } from "./decode-text.js"
import { asArray, asObject, numberOf, parseJsonText, textOf } from "./json-text.js"
import { draftOf, FieldBag, normaliseNewlines, timeOf } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"
import { readZipMembers } from "./zip-reader.js"

const FORMAT = "proton-json"
const TRASHED_STATE = 2
type Obj = Record<string, unknown> | undefined

const TYPES = new Map([["login", "login"], ["note", "note"], ["alias", "login"], ["creditCard", "card"], ["identity", "identity"], ["wifi", "wifi"], ["sshKey", "ssh-key"]])
const CONTENT_FIELDS: Record<string, ReadonlyArray<readonly [key: string, name: string, kind: FieldKind]>> = {
  login: [["itemUsername", "username", "text"], ["itemEmail", "email", "email"], ["password", "password", "secret"], ["totpUri", "totp", "totp"]],
  creditCard: [["cardholderName", "cardholder", "text"], ["number", "number", "secret"], ["verificationCode", "code", "secret"], ["expirationDate", "expiry", "text"], ["pin", "pin", "secret"], ["cardType", "brand", "text"]],
  identity: [["fullName", "name", "text"], ["email", "email", "email"], ["phoneNumber", "phone", "phone"], ["firstName", "first-name", "text"], ["middleName", "middle-name", "text"], ["lastName", "last-name", "text"], ["birthdate", "birthdate", "date"], ["gender", "gender", "text"], ["organization", "company", "text"], ["streetAddress", "address", "text"], ["zipOrPostalCode", "postal-code", "text"], ["city", "city", "text"], ["stateOrProvince", "state", "text"], ["countryOrRegion", "country", "text"], ["socialSecurityNumber", "ssn", "secret"], ["passportNumber", "passport", "secret"], ["licenseNumber", "license", "secret"], ["website", "url", "url"], ["company", "company", "text"], ["jobTitle", "job-title", "text"]],
  wifi: [["ssid", "ssid", "text"], ["password", "password", "secret"], ["security", "security", "text"]],
  sshKey: [["privateKey", "private-key", "secret"], ["publicKey", "public-key", "text"]],
}

/** Parses Proton Pass's data.json. */
export function parseProtonJson(text: string): FormatOutput {
  const root = asObject(parseJsonText(text, FORMAT))
  if (root?.encrypted === true) throw failure("this Proton Pass export is encrypted: export it again without encryption (the unencrypted ZIP or JSON), then import that")
  const vaults = asObject(root?.vaults)
  if (vaults === undefined) throw failure('not a Proton Pass export: it has no "vaults"')
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  for (const vault of Object.values(vaults).map(asObject)) {
    for (const value of asArray(vault?.items)) {
      const item = asObject(value)
      const data = asObject(item?.data)
      const title = textOf(asObject(data?.metadata), "name")
      if (numberOf(item?.state) === TRASHED_STATE) skipped.push({ title, reason: "in Proton Pass's trash" })
      else drafts.push(itemDraft(item, data, textOf(vault, "name")))
    }
  }
  return { drafts, skipped }
}

/** Parses the ZIP of a Proton Pass export (its Proton Pass/data.json). */
export function parseProtonZip(bytes: Uint8Array): FormatOutput {
  const members = readZipMembers(bytes, "the Proton Pass ZIP", (name) => /(^|\/)Proton Pass\/data\.json$/.test(name))
  const data = Object.values(members)[0]
  if (data === undefined) throw failure("the Proton Pass ZIP has no Proton Pass/data.json: export it again from Proton Pass")
  return parseProtonJson(decodeUtf8(data))
}

function itemDraft(item: Obj, data: Obj, vaultName: string): Draft {
  const type = textOf(data, "type")
  const content = asObject(data?.content)
  const metadata = asObject(data?.metadata)
  const fields = new FieldBag()
  for (const [key, name, kind] of CONTENT_FIELDS[type] ?? []) fields.add(name, textOf(content, key), kind)
  if (type === "login") fields.addUrls(asArray(content?.urls).map((url) => (typeof url === "string" ? url : "")))
  if (type === "alias") fields.add("email", textOf(item, "aliasEmail"), "email")
  for (const extra of asArray(data?.extraFields).map(asObject)) {
    const kind: FieldKind = textOf(extra, "type") === "hidden" ? "secret" : textOf(extra, "type") === "totp" ? "totp" : "text"
    const dataOf = asObject(extra?.data)
    fields.add(textOf(extra, "fieldName"), textOf(dataOf, "content") || textOf(dataOf, "totpUri"), kind)
  }
  const notCarried = [
    ...asArray(content?.passkeys).map((key) => `passkey for ${textOf(asObject(key), "domain") || textOf(asObject(key), "rpId") || "a site"}`),
    ...asArray(data?.attachments).map((file) => `attachment ${textOf(asObject(file), "name") || "(unnamed)"}`),
  ]
  return draftOf(
    undefined,
    {
      type: TYPES.get(type) ?? "note",
      title: textOf(metadata, "name"),
      fields: fields.result(),
      notes: normaliseNewlines(textOf(metadata, "note")),
      tags: [vaultName],
      favorite: item?.pinned === true,
      createdAt: timeOf(item?.createTime),
      updatedAt: timeOf(item?.modifyTime),
    },
    notCarried,
  )
}

function failure(message: string): LanvaultError {
  return new LanvaultError("IMPORT_FAILED", message)
}
