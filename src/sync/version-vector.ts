import type { LogEntry } from "../store/log-entry.js"
import type { VersionVector } from "../store/vault-store.js"

/**
 * Pure helpers over version vectors (`{deviceId: highest contiguous seq}`; a
 * device not named holds 0). Every function costs O(devices [+ entries]) and
 * never mutates its arguments.
 */

/** How two vectors relate: equal, `a` strictly behind `b`, strictly ahead, or each has something the other lacks. */
export type VectorOrder = "equal" | "before" | "after" | "concurrent"

/** One device's entries that one vector holds and another lacks: seq `afterSeq + 1` … `toSeq`. */
export interface MissingRange {
  deviceId: string
  afterSeq: number
  toSeq: number
}

/** The seq a vector holds for a device (0 when not named). */
export function seqOf(vector: VersionVector, deviceId: string): number {
  return Object.hasOwn(vector, deviceId) ? vector[deviceId] : 0
}

/** Compares `a` with `b`. */
export function compareVectors(a: VersionVector, b: VersionVector): VectorOrder {
  let aAhead = false
  let bAhead = false
  for (const deviceId of deviceIds(a, b)) {
    const x = seqOf(a, deviceId)
    const y = seqOf(b, deviceId)
    if (x > y) aAhead = true
    else if (y > x) bAhead = true
  }
  if (aAhead && bAhead) return "concurrent"
  if (aAhead) return "after"
  if (bAhead) return "before"
  return "equal"
}

/** Whether `a` holds everything `b` holds. */
export function dominates(a: VersionVector, b: VersionVector): boolean {
  const order = compareVectors(a, b)
  return order === "equal" || order === "after"
}

/** The pointwise maximum: what a device holding both would hold. Devices at 0 are left out. */
export function mergeVectors(a: VersionVector, b: VersionVector): VersionVector {
  const out: VersionVector = {}
  for (const deviceId of deviceIds(a, b)) {
    const seq = Math.max(seqOf(a, deviceId), seqOf(b, deviceId))
    if (seq > 0) out[deviceId] = seq
  }
  return out
}

/** The ranges `source` holds that `have` lacks, ordered by device id. */
export function missingRanges(have: VersionVector, source: VersionVector): MissingRange[] {
  const out: MissingRange[] = []
  for (const deviceId of Object.keys(source).sort()) {
    const afterSeq = seqOf(have, deviceId)
    const toSeq = source[deviceId]
    if (toSeq > afterSeq) out.push({ deviceId, afterSeq, toSeq })
  }
  return out
}

/** How many entries `source` holds that `have` lacks. */
export function missingCount(have: VersionVector, source: VersionVector): number {
  let count = 0
  for (const range of missingRanges(have, source)) count += range.toSeq - range.afterSeq
  return count
}

/**
 * The vector after also holding `entries` (each device's seq only moves
 * forward). Assumes the entries continue the vector without gaps, as a sync
 * batch does.
 */
export function advanceVector(vector: VersionVector, entries: readonly LogEntry[]): VersionVector {
  const out: VersionVector = { ...vector }
  for (const { deviceId, seq } of entries) {
    if (seq > seqOf(out, deviceId)) out[deviceId] = seq
  }
  return out
}

function deviceIds(a: VersionVector, b: VersionVector): Set<string> {
  return new Set([...Object.keys(a), ...Object.keys(b)])
}
