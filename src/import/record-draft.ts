/** Building blocks every format uses to turn an entry into a lanvault record. */
import type { FieldKind, FieldValue, RecordInput } from "../merge/types.js"
import { setOwn } from "../own-property.js"
import type { Draft, SkippedEntry } from "./types.js"

/**
 * A record's fields as they are collected: blank values are left out, and a name
 * already taken gets a number (`url`, `url2`, `url3`…).
 */
export class FieldBag {
  private readonly fields: Record<string, FieldValue> = {}

  /** Adds a field unless `value` is blank; returns the name it got. */
  add(name: string, value: string, kind: FieldKind): string | undefined {
    if (value.trim() === "") return undefined
    const unique = this.freeName(name.trim() || "field")
    setOwn(this.fields, unique, { value, kind })
    return unique
  }

  /** Adds each URL as `url`, `url2`… */
  addUrls(values: readonly string[]): void {
    for (const value of values) this.add("url", value.trim(), "url")
  }

  /** The value of a field, or "". */
  value(name: string): string {
    return Object.hasOwn(this.fields, name) ? this.fields[name].value : ""
  }

  /** Whether no field was added. */
  isEmpty(): boolean {
    return Object.keys(this.fields).length === 0
  }

  /** The fields collected. */
  result(): Record<string, FieldValue> {
    return this.fields
  }

  private freeName(base: string): string {
    if (!Object.hasOwn(this.fields, base)) return base
    const separator = /\d$/.test(base) ? " " : ""
    for (let n = 2; ; n++) {
      const candidate = `${base}${separator}${n}`
      if (!Object.hasOwn(this.fields, candidate)) return candidate
    }
  }
}

/**
 * A draft with every part of the record set: defaults for what `parts` leaves
 * out, title and tags trimmed; dates and history kept when given and sane.
 */
export function draftOf(line: number | undefined, parts: RecordInput, notCarried: readonly string[] = []): Draft {
  const record: Draft["record"] = {
    type: parts.type,
    title: parts.title.trim(),
    fields: parts.fields ?? {},
    notes: parts.notes ?? "",
    tags: uniqueTags(parts.tags ?? []),
    favorite: parts.favorite ?? false,
  }
  const createdAt = saneTime(parts.createdAt)
  const updatedAt = saneTime(parts.updatedAt)
  if (createdAt !== undefined) record.createdAt = createdAt
  if (updatedAt !== undefined) record.updatedAt = Math.max(updatedAt, createdAt ?? 0)
  const history = (parts.history ?? []).filter((entry) => entry.value !== "" && entry.field !== "__proto__")
  if (history.length > 0) record.history = history.slice(0, MAX_HISTORY_ENTRIES).map((entry) => ({ ...entry, changedAt: saneTime(entry.changedAt) ?? 0 }))
  const draft: Draft = line === undefined ? { record } : { line, record }
  if (notCarried.length > 0) draft.notCarried = [...notCarried]
  return draft
}

const MAX_HISTORY_ENTRIES = 1_000
// Dates before 1990 or after 2200 are placeholders (KeePass writes year 1 or 9999), not real ones.
const EARLIEST_MS = Date.UTC(1990, 0, 1)
const LATEST_MS = Date.UTC(2200, 0, 1)

/** A time in ms since 1970 if `value` is a plausible one, else undefined. */
export function saneTime(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined
  return value >= EARLIEST_MS && value < LATEST_MS ? Math.trunc(value) : undefined
}

/** Parses a date given as ISO text, or as seconds / ms since 1970 (told apart by size). */
export function timeOf(value: unknown): number | undefined {
  if (typeof value === "number") return saneTime(value < 1e11 ? value * 1000 : value)
  if (typeof value !== "string" || value.trim() === "") return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return timeOf(Number(text))
  return saneTime(Date.parse(text))
}

/** `login` when an entry has login fields, else `note` (for formats without a type column). */
export function loginOrNote(fields: FieldBag): string {
  return ["username", "password", "url", "totp"].some((name) => fields.value(name) !== "") ? "login" : "note"
}

/** Whether a cell says yes ("1", "true", "yes"…). */
export function isTrue(text: string): boolean {
  return /^\s*(1|true|yes|y|x|on)\s*$/i.test(text)
}

/** Splits a list cell ("a; b, c") into trimmed, non-empty items. */
export function splitList(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== "")
}

/** CRLF and lone CR as LF. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n")
}

/** Whether a field name suggests a secret, for sources that do not say (Bitwarden CSV, mSecure). */
export function looksSecret(name: string): boolean {
  return /pass|\bpin\b|secret|\bcvv|\bcvc|security code|private key|token|api key|recovery/i.test(name)
}

/** The host of a URL without `www.` (a scheme-less "example.com/x" works too), or "". */
export function hostOf(url: string): string {
  const trimmed = url.trim()
  if (trimmed === "") return ""
  for (const candidate of [trimmed, `https://${trimmed}`]) {
    try {
      const host = new URL(candidate).hostname
      if (host !== "") return host.replace(/^www\./i, "")
    } catch {
      // not a URL this way round; try the next
    }
  }
  return ""
}

/**
 * Gives each untitled draft a title from its URL's host or its username; drafts
 * with neither are skipped with a reason.
 */
export function nameDrafts(drafts: readonly Draft[]): { drafts: Draft[]; skipped: SkippedEntry[] } {
  const named: Draft[] = []
  const skipped: SkippedEntry[] = []
  for (const draft of drafts) {
    const record = draft.record
    const title = record.title || hostOf(record.fields.url?.value ?? "") || (record.fields.username?.value ?? "").trim()
    if (title !== "") {
      named.push({ ...draft, record: { ...record, title } })
      continue
    }
    const empty = Object.keys(record.fields).length === 0 && record.notes.trim() === ""
    const reason = empty ? "empty entry" : "no title, and no URL or username to name it after"
    skipped.push(draft.line === undefined ? { reason } : { line: draft.line, reason })
  }
  return { drafts: named, skipped }
}

function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter((tag) => tag !== ""))]
}
