import { CorruptDataError, LanvaultError } from "../errors.js"
import { checkEntry, DEVICE_ID_PATTERN, sameEntry, type LogEntry } from "./log-entry.js"
import type { DeviceIdentity, SnapshotRow, TrustEntry, VersionVector } from "./vault-store.js"

/**
 * Rules every VaultStore shares, kept apart from I/O so SqliteStore and
 * MemoryStore cannot drift: where an incoming entry may go, and what a valid
 * trust entry, snapshot, keyset or identity looks like.
 */

const PUBLIC_KEY_BYTES = 32
const SECRET_KEY_BYTES = 32

/**
 * What to do with an entry given its device's head and the entry held at its
 * seq: continue the log, skip it as held, or fill a hole below the floor (an
 * entry a peer's snapshot stood in for, arriving later).
 */
export type Placement = "insert" | "skip" | "fill"

/**
 * Decides an incoming entry: continue the log ("insert"), already held byte for
 * byte ("skip"), not held at or below the device's `floor` ("fill": a hole an
 * adopted snapshot stood in for), held with other bytes (CorruptDataError) or
 * beyond the head +1 (SEQUENCE_GAP). Throws CorruptDataError if the entry is malformed.
 */
export function placeEntry(entry: LogEntry, head: number, held: LogEntry | undefined, floor = 0): Placement {
  checkEntry(entry)
  if (entry.seq <= head) {
    if (held !== undefined && sameEntry(held, entry)) return "skip"
    if (held === undefined && entry.seq <= floor) return "fill"
    throw new CorruptDataError(
      `conflicting entry: device ${entry.deviceId} seq ${entry.seq} is already held with other content; the stored entry was kept`,
    )
  }
  if (entry.seq !== head + 1) throw gapError(entry, head)
  return "insert"
}

/** Checks an own entry continues its log exactly (SEQUENCE_GAP otherwise, also for a repeat). */
export function checkOwnAppend(entry: LogEntry, head: number): void {
  checkEntry(entry)
  if (entry.seq !== head + 1) throw gapError(entry, head)
}

function gapError(entry: LogEntry, head: number): LanvaultError {
  return new LanvaultError(
    "SEQUENCE_GAP",
    `sequence gap: device ${entry.deviceId} is held up to seq ${head}, so seq ${entry.seq} cannot follow; ` +
      "fetch the entries in between first",
    { data: { deviceId: entry.deviceId, head, seq: entry.seq } },
  )
}

/** A copy of `entries` ordered by device then seq, the order a batch is applied in; CorruptDataError if one is malformed. */
export function sortByPosition(entries: readonly LogEntry[]): LogEntry[] {
  if (!Array.isArray(entries)) throw new TypeError("entries must be an array")
  for (const entry of entries) checkEntry(entry)
  return [...entries].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.seq - b.seq))
}

/** `undefined` (no limit) or a positive integer. */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY
  if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError("limit must be a positive integer")
  return limit
}

/** seq values are non-negative integers. */
export function checkSeq(seq: number, what: string): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new TypeError(`${what} must be a non-negative integer`)
}

export function checkVector(vector: VersionVector): void {
  if (typeof vector !== "object" || vector === null) throw new TypeError("version vector must be an object")
  for (const [deviceId, seq] of Object.entries(vector)) checkSeq(seq, `version vector entry for ${deviceId}`)
}

export function checkDeviceId(deviceId: string): void {
  if (typeof deviceId !== "string" || !DEVICE_ID_PATTERN.test(deviceId)) {
    throw new TypeError("device id must be 32 lower-case hex characters")
  }
}

function checkTime(value: number | undefined, what: string, optional: boolean): void {
  if (value === undefined && optional) return
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new TypeError(`${what} must be a time in ms`)
}

function checkBytes(value: Uint8Array, length: number, what: string): void {
  if (!(value instanceof Uint8Array) || value.length !== length) throw new TypeError(`${what} must be ${length} bytes`)
}

export function checkTrustEntry(entry: TrustEntry): void {
  checkDeviceId(entry.deviceId)
  if (typeof entry.name !== "string") throw new TypeError("device name must be a string")
  checkBytes(entry.signPublic, PUBLIC_KEY_BYTES, "signing public key")
  checkBytes(entry.dhPublic, PUBLIC_KEY_BYTES, "key-agreement public key")
  checkTime(entry.addedAt, "addedAt", false)
  checkTime(entry.revokedAt, "revokedAt", true)
  checkTime(entry.lastSeenAt, "lastSeenAt", true)
  checkTime(entry.renamedAt, "renamedAt", true)
  if (entry.addSig !== undefined) checkBytes(entry.addSig, 64, "addition signature")
  if (entry.revokeSig !== undefined) checkBytes(entry.revokeSig, 64, "revocation signature")
  if (entry.renameSig !== undefined) checkBytes(entry.renameSig, 64, "rename signature")
  if (entry.lastSeq !== undefined && (!Number.isSafeInteger(entry.lastSeq) || entry.lastSeq < 0)) throw new TypeError("lastSeq must be a non-negative integer")
}

export function checkSnapshotRow(row: SnapshotRow): void {
  if (!Number.isSafeInteger(row.bucket) || row.bucket < 0) throw new TypeError("snapshot bucket must be a non-negative integer")
  if (!Number.isSafeInteger(row.epoch) || row.epoch < 0) throw new TypeError("snapshot epoch must be a non-negative integer")
  checkVector(row.vector)
  if (!(row.ciphertext instanceof Uint8Array)) throw new TypeError("snapshot ciphertext must be bytes")
}

/** Checks a snapshot set before it replaces the held one: rows well-formed, one per bucket, all covering `vector`. */
export function checkSnapshotSet(rows: readonly SnapshotRow[], vector: VersionVector): void {
  checkVector(vector)
  const buckets = new Set<number>()
  const canonical = JSON.stringify(sortedVector(vector))
  for (const row of rows) {
    checkSnapshotRow(row)
    if (buckets.has(row.bucket)) throw new CorruptDataError(`a snapshot set holds bucket ${row.bucket} twice`)
    buckets.add(row.bucket)
    if (JSON.stringify(sortedVector(row.vector)) !== canonical) throw new CorruptDataError("a snapshot set's rows cover different version vectors")
  }
}

function sortedVector(vector: VersionVector): Array<[string, number]> {
  return Object.keys(vector).sort().filter((k) => vector[k] > 0).map((k) => [k, vector[k]])
}

export function checkKeyset(version: number, blob: Uint8Array): void {
  if (!Number.isSafeInteger(version) || version < 1) throw new TypeError("keyset version must be a positive integer")
  if (!(blob instanceof Uint8Array)) throw new TypeError("keyset must be bytes")
}

export function checkIdentity(identity: DeviceIdentity): void {
  checkDeviceId(identity.deviceId)
  checkBytes(identity.signSecret, SECRET_KEY_BYTES, "signing secret key")
  checkBytes(identity.dhSecret, SECRET_KEY_BYTES, "key-agreement secret key")
}

/** A deep copy, so callers never share buffers with the store. */
export function copyTrust(entry: TrustEntry): TrustEntry {
  const copy: TrustEntry = {
    deviceId: entry.deviceId,
    name: entry.name,
    signPublic: entry.signPublic.slice(),
    dhPublic: entry.dhPublic.slice(),
    addedAt: entry.addedAt,
  }
  if (entry.revokedAt !== undefined) copy.revokedAt = entry.revokedAt
  if (entry.lastSeenAt !== undefined) copy.lastSeenAt = entry.lastSeenAt
  if (entry.addSig !== undefined) copy.addSig = entry.addSig.slice()
  if (entry.revokeSig !== undefined) copy.revokeSig = entry.revokeSig.slice()
  if (entry.lastSeq !== undefined) copy.lastSeq = entry.lastSeq
  if (entry.renamedAt !== undefined) copy.renamedAt = entry.renamedAt
  if (entry.renameSig !== undefined) copy.renameSig = entry.renameSig.slice()
  return copy
}

/** Orders a trust list by addedAt, then deviceId. */
export function compareTrust(a: TrustEntry, b: TrustEntry): number {
  return a.addedAt - b.addedAt || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0)
}
