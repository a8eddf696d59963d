/**
 * lanvault records to a KeePass KDBX 4 file (Argon2id, ChaCha20): the first tag
 * names the group ("Work/Mail" nests), every tag is also a KeePass tag;
 * username, password and url go to KeePass's own fields, the totp field to
 * KeePassXC's `otp` (an otpauth URI); other fields are custom fields, protected
 * when secret or totp; history becomes older versions of the entry; created and
 * updated times are kept. The record type, favourite flag and field kinds ride
 * in the entry's CustomData, so lanvault reads the file back with nothing lost.
 */
import type * as Kdbx from "kdbxweb"
import { InvalidParamsError } from "../errors.js"
import type { FieldValue, HistoryEntry } from "../merge/types.js"
import { kdbx } from "./kdbx-engine.js"
import { LANVAULT_META_KEY, RESERVED_KEEPASS_FIELDS, type LanvaultEntryMeta } from "./keepass-fields.js"
import { totpForKeepass } from "./keepass-totp.js"
import type { ExportRecord } from "./types.js"

type KdbxWeb = ReturnType<typeof kdbx>

const ARGON2_MEMORY_BYTES = 64 * 1024 * 1024
const ARGON2_ITERATIONS = 3
const ARGON2_PARALLELISM = 2
const DATABASE_NAME = "lanvault export"
const STANDARD = new Map<string, string>([["username", "UserName"], ["password", "Password"], ["url", "URL"]])

/** The KDBX 4 file of `records`, encrypted with `password`. */
export async function exportKdbx(records: readonly ExportRecord[], password: string | undefined): Promise<Uint8Array> {
  if (password === undefined || password === "") throw new InvalidParamsError("a KDBX export needs a password (prompt, or LANVAULT_EXPORT_PASSWORD)")
  const kdbxweb = kdbx()
  const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString(password)), DATABASE_NAME)
  db.setVersion(4)
  db.setKdf(kdbxweb.Consts.KdfId.Argon2id)
  const kdf = db.header.kdfParameters!
  kdf.set("M", kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(ARGON2_MEMORY_BYTES))
  kdf.set("I", kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(ARGON2_ITERATIONS))
  kdf.set("P", kdbxweb.VarDictionary.ValueType.UInt32, ARGON2_PARALLELISM)
  const groups = new Map<string, Kdbx.KdbxGroup>([["", db.getDefaultGroup()]])
  const groupOf = (path: string): Kdbx.KdbxGroup => {
    const known = groups.get(path)
    if (known !== undefined) return known
    const cut = path.lastIndexOf("/")
    const group = db.createGroup(groupOf(cut === -1 ? "" : path.slice(0, cut)), path.slice(cut + 1))
    groups.set(path, group)
    return group
  }
  for (const record of records) writeEntry(db, groupOf(groupPath(record.tags[0] ?? "")), record, kdbxweb)
  return new Uint8Array(await db.save())
}

function groupPath(tag: string): string {
  return tag.split("/").map((part) => part.trim()).filter((part) => part !== "").join("/")
}

function writeEntry(db: Kdbx.Kdbx, group: Kdbx.KdbxGroup, record: ExportRecord, kdbxweb: KdbxWeb): void {
  const entry = db.createEntry(group)
  const meta: LanvaultEntryMeta = { type: record.type, favorite: record.favorite, fields: {} }
  const keys = keyNames(record.fields, meta)
  // Older versions first (oldest first, as KeePass keeps them), each with one value as it was.
  for (const old of [...(record.history ?? [])].sort((a, b) => a.changedAt - b.changedAt)) {
    setState(entry, record, keys, kdbxweb, old)
    entry.times.lastModTime = new Date(old.changedAt)
    entry.pushHistory()
  }
  setState(entry, record, keys, kdbxweb)
  entry.tags = [...record.tags]
  entry.times.creationTime = new Date(record.createdAt)
  entry.times.lastModTime = new Date(record.updatedAt)
  entry.customData = new Map([[LANVAULT_META_KEY, { value: JSON.stringify(meta) }]])
}

/** Each lanvault field's KeePass key; what KeePass cannot tell by itself goes into `meta.fields`. */
function keyNames(fields: Record<string, FieldValue>, meta: LanvaultEntryMeta): Map<string, string> {
  const keys = new Map<string, string>()
  const taken = new Set(RESERVED_KEEPASS_FIELDS)
  for (const [name, field] of Object.entries(fields)) {
    const standard = STANDARD.get(name)
    if (standard !== undefined && field.kind === (name === "password" ? "secret" : name === "url" ? "url" : "text")) {
      keys.set(name, standard)
      continue
    }
    if (field.kind === "totp" && !keys.has("\u0000totp")) {
      keys.set(name, "otp")
      keys.set("\u0000totp", name)
      if (name !== "totp") meta.totpName = name
      if (!field.value.trim().startsWith("otpauth://")) meta.totpRaw = field.value
      continue
    }
    let key = name
    for (let n = 2; taken.has(key) || [...keys.values()].includes(key); n++) key = `${name} (${n})`
    keys.set(name, key)
    meta.fields![key] = [name, field.kind]
  }
  keys.delete("\u0000totp")
  return keys
}

function setState(entry: Kdbx.KdbxEntry, record: ExportRecord, keys: Map<string, string>, kdbxweb: KdbxWeb, old?: HistoryEntry): void {
  entry.fields = new Map()
  const title = old?.field === "title" ? old.value : record.title
  entry.fields.set("Title", title)
  entry.fields.set("Notes", record.notes)
  const fields: Record<string, FieldValue> = { ...record.fields }
  if (old !== undefined && old.field !== "title") {
    if (old.reason === "removed" || !Object.hasOwn(fields, old.field)) keys.set(old.field, keys.get(old.field) ?? old.field)
    fields[old.field] = { value: old.value, kind: old.kind }
  }
  for (const [name, field] of Object.entries(fields)) {
    const key = keys.get(name) ?? name
    const value = key === "otp" ? totpForKeepass(field.value, record.title) : field.value
    const secret = field.kind === "secret" || field.kind === "totp"
    entry.fields.set(key, secret ? kdbxweb.ProtectedValue.fromString(value) : value)
  }
  for (const key of ["UserName", "Password", "URL"]) if (!entry.fields.has(key)) entry.fields.set(key, key === "Password" ? kdbxweb.ProtectedValue.fromString("") : "")
}
