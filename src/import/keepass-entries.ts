/**
 * A KeePass database (kdbxweb's model, from a KDBX or a KeePass 2 XML file) to
 * drafts. Groups become tags ("Work/Mail"; the root group is left out),
 * KeePass tags stay tags; Title, UserName, Password, URL and Notes map to
 * lanvault's; KeePassXC's `otp` and KeePass's `TimeOtp-*` fields become a
 * `totp` field; other fields keep their protected flag as `secret`; older
 * versions become history; created and modified times are kept. Attachments
 * cannot be carried and are named per entry. Entries lanvault exported carry
 * their record type, favourite flag and field kinds in the entry's CustomData.
 */
import type * as Kdbx from "kdbxweb"
import type { FieldKind, FieldValue, HistoryEntry } from "../merge/types.js"
import { KEEPASS_FIELDS, LANVAULT_META_KEY, type LanvaultEntryMeta } from "./keepass-fields.js"
import { totpFromKeepass } from "./keepass-totp.js"
import { draftOf, FieldBag, loginOrNote, saneTime } from "./record-draft.js"
import type { Draft, FormatOutput, SkippedEntry } from "./types.js"

type Entry = Kdbx.KdbxEntry
type Group = Kdbx.KdbxGroup

/** Drafts of every entry of `db` outside the recycle bin. */
export function keepassDrafts(db: Kdbx.Kdbx, ProtectedValue: typeof Kdbx.ProtectedValue, protectedKeys: ReadonlySet<string> = new Set()): FormatOutput {
  const drafts: Draft[] = []
  const skipped: SkippedEntry[] = []
  const recycleBin = db.meta.recycleBinEnabled === false ? undefined : db.meta.recycleBinUuid
  const walk = (group: Group, path: string[]) => {
    const inBin = recycleBin !== undefined && !recycleBin.empty && group.uuid.equals(recycleBin)
    for (const entry of group.entries) {
      if (inBin) skipped.push({ title: text(entry.fields.get("Title")), reason: "in KeePass's recycle bin" })
      else drafts.push(entryDraft(entry, path, { PV: ProtectedValue, protectedKeys }))
    }
    if (inBin) return
    for (const child of group.groups) walk(child, [...path, child.name ?? ""])
  }
  for (const root of db.groups) walk(root, [])
  return { drafts, skipped }
}

/** How a field's protected flag is told: a ProtectedValue (KDBX), or its key marked Protected in the XML. */
interface Protection {
  PV: typeof Kdbx.ProtectedValue
  protectedKeys: ReadonlySet<string>
}

function entryDraft(entry: Entry, path: string[], PV: Protection): Draft {
  const meta = readMeta(entry)
  const current = fieldsOf(entry, meta, PV)
  const history = historyOf(entry, current, meta, PV)
  const notCarried = [...entry.binaries.keys()].map((name) => `attachment ${name}`)
  const fields = current.fields
  const type = meta.type ?? loginOrNote(bagOf(fields))
  return draftOf(
    undefined,
    {
      type,
      title: current.title,
      fields,
      notes: current.notes,
      tags: [path.filter((part) => part !== "").join("/"), ...entry.tags],
      favorite: meta.favorite ?? false,
      createdAt: time(entry.times.creationTime),
      updatedAt: time(entry.times.lastModTime),
      history,
    },
    notCarried,
  )
}

interface EntryState {
  title: string
  notes: string
  fields: Record<string, FieldValue>
}

function fieldsOf(entry: Entry, meta: LanvaultEntryMeta, PV: Protection): EntryState {
  const state: EntryState = { title: "", notes: "", fields: {} }
  const bag = new FieldBag()
  const totp = totpFromKeepass((key) => text(entry.fields.get(key)))
  for (const [key, raw] of entry.fields) {
    const value = text(raw)
    if (key === "Title") state.title = value
    else if (key === "Notes") state.notes = value.replace(/\r\n?/g, "\n")
    else if (totp.consumed.has(key)) continue
    else {
      const known = meta.fields?.[key]
      const standard = KEEPASS_FIELDS.get(key)
      const kind: FieldKind = known?.[1] ?? standard?.[1] ?? (raw instanceof PV.PV || PV.protectedKeys.has(key) ? "secret" : /^KP2A_URL/.test(key) ? "url" : "text")
      const name = known?.[0] ?? standard?.[0] ?? (/^KP2A_URL/.test(key) ? "url" : key)
      bag.add(name, value, kind)
    }
  }
  if (totp.value !== "") bag.add(meta.totpName ?? "totp", rawTotp(totp.value, meta.totpRaw), "totp")
  const expiry = entry.times.expires === true ? time(entry.times.expiryTime) : undefined
  if (expiry !== undefined) bag.add("expires", new Date(expiry).toISOString().slice(0, 10), "date")
  state.fields = bag.result()
  return state
}

function historyOf(entry: Entry, current: EntryState, meta: LanvaultEntryMeta, PV: Protection): HistoryEntry[] {
  const entries: HistoryEntry[] = []
  const seen = new Set<string>()
  // KeePass keeps old versions oldest first; each value that differs from today's is history.
  for (const version of [...entry.history].reverse()) {
    const old = fieldsOf(version, meta, PV)
    const changedAt = time(version.times.lastModTime) ?? 0
    const push = (field: string, value: string, kind: FieldKind, removed: boolean) => {
      const key = JSON.stringify([field, value])
      if (value === "" || seen.has(key)) return
      seen.add(key)
      entries.push({ field, value, kind, changedAt, reason: removed ? "removed" : "edited" })
    }
    if (old.title !== current.title) push("title", old.title, "text", false)
    for (const [name, field] of Object.entries(old.fields)) {
      const now = Object.hasOwn(current.fields, name) ? current.fields[name] : undefined
      if (now?.value !== field.value) push(name, field.value, field.kind, now === undefined)
    }
  }
  return entries.sort((a, b) => b.changedAt - a.changedAt)
}

// A bare secret lanvault exported as an otpauth URI comes back as it was, unless the URI's secret changed since.
function rawTotp(value: string, raw: string | undefined): string {
  if (raw === undefined) return value
  try {
    return new URL(value).searchParams.get("secret") === raw.replace(/\s+/g, "").toUpperCase() ? raw : value
  } catch {
    return value
  }
}

function readMeta(entry: Entry): LanvaultEntryMeta {
  const raw = entry.customData?.get(LANVAULT_META_KEY)?.value
  if (raw === undefined) return {}
  try {
    const parsed = JSON.parse(raw) as LanvaultEntryMeta
    return typeof parsed === "object" && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

function bagOf(fields: Record<string, FieldValue>): FieldBag {
  const bag = new FieldBag()
  for (const [name, field] of Object.entries(fields)) bag.add(name, field.value, field.kind)
  return bag
}

function text(value: Kdbx.KdbxEntryField | undefined): string {
  if (value === undefined) return ""
  return typeof value === "string" ? value : value.getText()
}

function time(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : saneTime(date.getTime())
}

