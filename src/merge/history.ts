import * as Automerge from "./automerge.js"
import type { FieldKind, HistoryEntry } from "./types.js"
import {
  decodeHistoryEntry, decodeRegister, encodeHistoryEntry, encodeRegister, registerAt, TITLE_FIELD,
  type Register, type StoredHistoryEntry, type StoredRecord,
} from "./stored-record.js"
import { actorOfOpId, writerAt } from "./register-writer.js"

/** Where a register lives: its bucket, its parent map, its key, and the history its old values go to. */
export interface RegisterSlot {
  /** The bucket document (its proxy inside a change): who wrote the current value is read there. */
  root: unknown
  parent: Record<string, unknown>
  key: string
  /** The `field` of its history entries ("title" for the title). */
  label: string
  history: StoredHistoryEntry[]
}

/**
 * Sets a register, or removes it when `next` is undefined. Call inside a change
 * callback. The current value and every value it conflicts with go to history
 * first, so no value written by any device is lost by this write. Returns false
 * (and writes nothing) when the register already holds exactly `next`.
 */
export function writeRegister(slot: RegisterSlot, next: { value: string; kind: FieldKind } | undefined, now: number): boolean {
  const present = slot.parent[slot.key] !== undefined
  if (!present && next === undefined) return false
  const current = present ? registerAt(slot.parent, slot.key) : undefined
  const losers = present ? conflictLosers(current, Automerge.getConflicts(slot.parent, slot.key)) : []
  if (next !== undefined && current !== undefined && losers.length === 0 && sameValue(current, next)) return false
  if (current !== undefined) {
    const reason = next === undefined ? "removed" : "edited"
    const deviceId = writerAt(slot.root, slot.parent, slot.key)
    slot.history.push(encodeHistoryEntry({ field: slot.label, value: current.value, kind: current.kind, changedAt: now, reason, ...(deviceId ? { deviceId } : {}) }))
  }
  for (const loser of losers) slot.history.push(encodeHistoryEntry(loserEntry(slot.label, loser)))
  if (next === undefined) delete slot.parent[slot.key]
  else slot.parent[slot.key] = encodeRegister({ value: next.value, kind: next.kind, at: now })
  return true
}

/**
 * A record's history, newest first: what was stored when values were replaced
 * or removed, plus the current losers of concurrent writes, computed here so a
 * merge never has to write anything. A value appears once (its newest entry).
 */
export function readHistory(stored: StoredRecord): HistoryEntry[] {
  const losers = registerLosers(stored, "title", TITLE_FIELD)
  for (const name of Object.keys(stored.fields ?? {})) losers.push(...registerLosers(stored.fields, name, name))
  const kept: HistoryEntry[] = []
  for (const raw of stored.history ?? []) {
    const entry = decodeHistoryEntry(raw)
    if (entry !== undefined) kept.push(entry)
  }
  // sort is stable: equal times keep list order (newest appended last), which every device shares.
  const all = [...losers, ...kept.reverse()].sort((a, b) => b.changedAt - a.changedAt)
  const seen = new Set<string>()
  return all.filter((entry) => {
    const key = JSON.stringify([entry.field, entry.kind, entry.value])
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function registerLosers(parent: object, key: string, label: string): HistoryEntry[] {
  const raw = (parent as Record<string, unknown>)[key]
  if (raw === undefined) return []
  return conflictLosers(registerAt(parent, key), Automerge.getConflicts(parent, key))
    .map((loser) => loserEntry(label, loser))
    .sort((a, b) => a.changedAt - b.changedAt || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
}

/** A losing value and the device that wrote it (the actor of its op). */
type Loser = Register & { by?: string }

/** The conflicting values other than the winner, each (value, kind) once. */
function conflictLosers(winner: Register | undefined, conflicts: Automerge.Conflicts | undefined): Loser[] {
  const losers: Loser[] = []
  for (const [opId, raw] of Object.entries(conflicts ?? {})) {
    const candidate = decodeRegister(raw)
    if (candidate === undefined) continue
    if ((winner !== undefined && sameValue(winner, candidate)) || losers.some((l) => sameValue(l, candidate))) continue
    losers.push({ ...candidate, by: actorOfOpId(opId) })
  }
  return losers
}

function loserEntry(label: string, loser: Loser): HistoryEntry {
  return { field: label, value: loser.value, kind: loser.kind, changedAt: loser.at, reason: "conflict", ...(loser.by ? { deviceId: loser.by } : {}) }
}

function sameValue(a: { value: string; kind: FieldKind }, b: { value: string; kind: FieldKind }): boolean {
  return a.value === b.value && a.kind === b.kind
}
