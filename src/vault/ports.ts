import type { AccountStore, KeysetShelf, MetaTable } from "../account/index.js"
import type { LogEntry } from "../store/log-entry.js"
import type { SnapshotRow, TrustEntry, VersionVector } from "../store/vault-store.js"

/**
 * The parts of the store vault/ uses, declared here (the SQLite store implements
 * them; the composition root hands its store to each as the narrow port).
 */

/** What the key manager keeps: the keyset, its meta (throttle, hint, trust public key), one transaction. */
export interface KeyStore extends MetaTable, KeysetShelf {
  transaction<T>(fn: () => T): T
  /** Folds the write-ahead log into the database, so replaced key material leaves the WAL. */
  checkpoint?(): void
}

/** The change logs and snapshots as the unlocked vault replays and extends them. */
export interface VaultLog {
  /** Highest seq held for a device; 0 if none. */
  head(deviceId: string): number
  /** Appends one of this device's own entries (seq exactly head + 1). */
  appendOwn(entry: LogEntry): void
  /** Entries after `vector`, device then seq, at most `limit`. */
  entriesAfter(vector: VersionVector, limit?: number): LogEntry[]
  versionVector(): VersionVector
  /** Per device, the seq up to which a peer's snapshot stands in for entries not held (yet). */
  floorVector(): VersionVector
  snapshots(fromBucket?: number, limit?: number): SnapshotRow[]
  putSnapshot(row: SnapshotRow): void
  /** Drops the snapshot set (a new one replaces it whole, in the same transaction). */
  clearSnapshots(): void
  transaction<T>(fn: () => T): T
}

/** Everything the vault service reaches, itself or through the key manager, the unlocked vault and reset. */
export interface VaultServiceStore extends AccountStore, KeyStore, VaultLog {
  /** This device's trust entry names it (a rename made elsewhere syncs there). */
  getTrust(deviceId: string): TrustEntry | undefined
}
