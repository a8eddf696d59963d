import type { LogEntry } from "../store/log-entry.js"
import type { DeviceIdentity, InsertResult, KeysetRow, TrustEntry, VersionVector } from "../store/vault-store.js"

/**
 * The parts of the store backup/ reads and writes, declared here (the SQLite
 * store implements them; the composition root hands its store over as these).
 */

/** What a backup is gathered from: its header and version vector in one transaction, then the entries up to that vector in pages. */
export interface BackupSource {
  getMeta(key: string): string | undefined
  getKeyset(): KeysetRow | undefined
  /** Every device, revoked ones included. */
  trustList(): TrustEntry[]
  /** Each device's highest seq held. */
  versionVector(): VersionVector
  countEntries(): number
  /** One device's entries with seq > afterSeq, ascending, at most `limit`. */
  entriesOf(deviceId: string, afterSeq: number, limit?: number): LogEntry[]
  /** Non-empty while a first sync still fills in entries a peer's snapshot stood in for. */
  floorVector(): VersionVector
  transaction<T>(fn: () => T): T
}

/** What a restore writes into: keyset, trust list and entries (merged, or in place of the vault's), in one transaction. */
export interface RestoreTarget {
  getMeta(key: string): string | undefined
  setMeta(key: string, value: string): void
  getIdentity(): DeviceIdentity | undefined
  getTrust(deviceId: string): TrustEntry | undefined
  putTrust(entry: TrustEntry): void
  putKeyset(version: number, blob: Uint8Array): boolean
  /** One device's entries with seq > afterSeq, ascending. */
  entriesOf(deviceId: string, afterSeq: number, limit?: number): LogEntry[]
  /** Stores entries (all or none); already-held identical ones are skipped. */
  insertEntries(entries: readonly LogEntry[]): InsertResult
  /** Deletes entries, floors, snapshots, keyset and trust list (meta and identity stay). */
  wipeAccountData(): void
  clearSnapshots(): void
  transaction<T>(fn: () => T): T
}

/** What the backup service reaches: gather, restore, and the two counts that say whether the vault changed since the newest backup. */
export type BackupStore = BackupSource & RestoreTarget
