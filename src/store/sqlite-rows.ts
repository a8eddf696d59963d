import { CorruptDataError } from "../errors.js"
import type { LogEntry } from "./log-entry.js"
import type { SnapshotRow, TrustEntry, VersionVector } from "./vault-store.js"

/** Rows as better-sqlite3 returns them, and their conversion to the store's types (SqliteStore). */

export interface EntryRow { device_id: string; seq: number; epoch: number; ciphertext: Buffer; signature: Buffer }

export interface TrustRow {
  device_id: string; name: string; sign_public: Buffer; dh_public: Buffer
  added_at: number; revoked_at: number | null; last_seen_at: number | null
  add_sig: Buffer | null; revoke_sig: Buffer | null; last_seq: number | null; renamed_at: number | null; rename_sig: Buffer | null
}

export function toEntry(row: EntryRow): LogEntry {
  return { deviceId: row.device_id, seq: row.seq, epoch: row.epoch, ciphertext: bytes(row.ciphertext), signature: bytes(row.signature) }
}

export function toTrust(row: TrustRow): TrustEntry {
  const entry: TrustEntry = {
    deviceId: row.device_id, name: row.name, signPublic: bytes(row.sign_public), dhPublic: bytes(row.dh_public), addedAt: row.added_at,
  }
  if (row.revoked_at !== null) entry.revokedAt = row.revoked_at
  if (row.last_seen_at !== null) entry.lastSeenAt = row.last_seen_at
  if (row.add_sig !== null) entry.addSig = bytes(row.add_sig)
  if (row.revoke_sig !== null) entry.revokeSig = bytes(row.revoke_sig)
  if (row.last_seq !== null) entry.lastSeq = row.last_seq
  if (row.renamed_at !== null) entry.renamedAt = row.renamed_at
  if (row.rename_sig !== null) entry.renameSig = bytes(row.rename_sig)
  return entry
}

/** putTrust's named parameters for `entry` (absent optional fields are NULL). */
export function trustParams(entry: TrustEntry): Record<string, unknown> {
  return {
    deviceId: entry.deviceId, name: entry.name, signPublic: entry.signPublic, dhPublic: entry.dhPublic,
    addedAt: entry.addedAt, revokedAt: entry.revokedAt ?? null, lastSeenAt: entry.lastSeenAt ?? null,
    addSig: entry.addSig ?? null, revokeSig: entry.revokeSig ?? null, lastSeq: entry.lastSeq ?? null, renamedAt: entry.renamedAt ?? null,
    renameSig: entry.renameSig ?? null,
  }
}

/** Rows of `device_id, seq` (heads, floors) as a version vector. */
export function toVector(rows: ReadonlyArray<{ device_id: string; seq: number }>): VersionVector {
  const vector: VersionVector = {}
  for (const { device_id, seq } of rows) vector[device_id] = seq
  return vector
}

/** A plain Uint8Array copy of what SQLite returned (callers compare and keep it). */
export function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer)
}


export interface SnapshotDbRow { bucket: number; epoch: number; vector: string; ciphertext: Buffer }

export function toSnapshot(row: SnapshotDbRow, path: string): SnapshotRow {
  let vector: VersionVector
  try {
    vector = JSON.parse(row.vector) as VersionVector
  } catch (error) {
    throw new CorruptDataError(`${path}: the version vector of snapshot ${row.bucket} is unreadable`, { cause: error })
  }
  return { bucket: row.bucket, epoch: row.epoch, vector, ciphertext: bytes(row.ciphertext) }
}
