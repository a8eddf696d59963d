/**
 * lanvault records to Bitwarden's unencrypted JSON export, which Bitwarden and
 * lanvault's own importer read. Types map to Bitwarden's five (login, secure
 * note, card, identity, SSH key); the first tag is the folder. Bitwarden has no
 * place for other tags, other record types or field kinds besides text and
 * hidden: those ride in custom fields named `lanvault:tags` and `lanvault:type`
 * (read back by lanvault). Password history is kept; history of other fields
 * is not (Bitwarden keeps only passwords').
 */
import { randomUUID } from "node:crypto"
import type { FieldValue } from "../merge/types.js"
import { BITWARDEN_TAGS_FIELD, BITWARDEN_TYPE_FIELD, CARD_FIELDS, IDENTITY_FIELDS, SSH_FIELDS } from "./bitwarden-fields.js"
import type { ExportRecord } from "./types.js"

const TYPES: Record<string, number> = { login: 1, note: 2, card: 3, identity: 4, "ssh-key": 5 }
const URL_FIELD = /^url\d*$/

/** The Bitwarden JSON text of `records`. */
export function exportBitwardenJson(records: readonly ExportRecord[]): string {
  const folders = new Map<string, string>()
  const folderId = (name: string) => {
    if (!folders.has(name)) folders.set(name, randomUUID())
    return folders.get(name)!
  }
  const items = records.map((record) => item(record, record.tags[0] === undefined ? null : folderId(record.tags[0])))
  const document = { encrypted: false, folders: [...folders].map(([name, id]) => ({ id, name })), items }
  return `${JSON.stringify(document, null, 2)}\n`
}

function item(record: ExportRecord, folderId: string | null): Record<string, unknown> {
  const type = TYPES[record.type] ?? 2
  const rest: Record<string, FieldValue> = { ...record.fields }
  const take = (name: string): string => {
    const value = Object.hasOwn(rest, name) ? rest[name].value : ""
    delete rest[name]
    return value
  }
  const out: Record<string, unknown> = {
    id: randomUUID(),
    organizationId: null,
    folderId,
    type,
    reprompt: 0,
    name: record.title,
    notes: record.notes === "" ? null : record.notes,
    favorite: record.favorite,
    collectionIds: null,
    creationDate: new Date(record.createdAt).toISOString(),
    revisionDate: new Date(record.updatedAt).toISOString(),
  }
  if (type === 1) out.login = login(rest, take)
  if (type === 2) out.secureNote = { type: 0 }
  if (type === 3) out.card = card(take)
  if (type === 4) out.identity = mapped(IDENTITY_FIELDS, take)
  if (type === 5) out.sshKey = mapped(SSH_FIELDS, take)
  const passwords = (record.history ?? []).filter((entry) => entry.field === "password")
  if (passwords.length > 0) out.passwordHistory = passwords.map((entry) => ({ lastUsedDate: new Date(entry.changedAt).toISOString(), password: entry.value }))
  const fields = Object.entries(rest).map(([name, field]) => ({ name, value: field.value, type: field.kind === "secret" ? 1 : 0, linkedId: null }))
  if (record.tags.length > 1) fields.push({ name: BITWARDEN_TAGS_FIELD, value: JSON.stringify(record.tags), type: 0, linkedId: null })
  if (TYPES[record.type] === undefined) fields.push({ name: BITWARDEN_TYPE_FIELD, value: record.type, type: 0, linkedId: null })
  if (fields.length > 0) out.fields = fields
  return out
}

function login(rest: Record<string, FieldValue>, take: (name: string) => string): Record<string, unknown> {
  const urls = Object.keys(rest).filter((name) => URL_FIELD.test(name) && rest[name].kind === "url").sort(byNumber)
  const username = rest.username?.kind === "text" ? take("username") : ""
  const password = rest.password?.kind === "secret" ? take("password") : ""
  const totp = rest.totp?.kind === "totp" ? take("totp") : ""
  return {
    uris: urls.map((name) => ({ match: null, uri: take(name) })),
    username: username || null,
    password: password || null,
    totp: totp || null,
  }
}

function card(take: (name: string) => string): Record<string, unknown> {
  const out = mapped(CARD_FIELDS, take)
  const [month, year] = take("expiry").split("/")
  out.expMonth = month?.trim() ? String(Number(month)) : null
  out.expYear = year?.trim() ? year.trim() : null
  return out
}

function mapped(names: ReadonlyArray<readonly [bitwarden: string, lanvault: string]>, take: (name: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [bitwarden, lanvault] of names) out[bitwarden] = take(lanvault) || null
  return out
}

function byNumber(a: string, b: string): number {
  return (Number(a.slice(3)) || 1) - (Number(b.slice(3)) || 1)
}
