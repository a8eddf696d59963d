import type { LogEntry } from "../store/log-entry.js"
import type { InsertOptions, InsertResult, KeysetRow, SnapshotRow, TrustEntry, VersionVector } from "../store/vault-store.js"

/** The change logs as sync reads and extends them (the store implements it). */
export interface EntryLog {
  /** Heads of every device with at least one entry. */
  versionVector(): VersionVector
  /** Entries after `vector`, device then seq, at most `limit`: O(devices + entries returned). */
  entriesAfter(vector: VersionVector, limit?: number): LogEntry[]
  /** One device's entries with seq > afterSeq, ascending, at most `limit` (the backfill under a snapshot sent). */
  entriesOf(deviceId: string, afterSeq: number, limit?: number): LogEntry[]
  /**
   * Stores verified entries from a peer, all or none. A session passes
   * `waitForDisk: false`: they are copies whose author holds them durably, and
   * an fsync here sat on every edit's way to this device's `record.changed`.
   */
  insertEntries(entries: readonly LogEntry[], options?: InsertOptions): InsertResult
}

/** The snapshot set as snapshot-first sync serves and takes it (the store implements it). */
export interface SnapshotShelf {
  /** Per device, the seq up to which entries may be missing because a peer's snapshot stood in for them. */
  floorVector(): VersionVector
  snapshots(fromBucket?: number, limit?: number): SnapshotRow[]
  /** Replaces the snapshot set with a verified one from a peer, raising heads to its vector. */
  adoptSnapshot(rows: readonly SnapshotRow[], vector: VersionVector): void
}

/** The trust list as sync reads and merges it (the store implements it). */
export interface TrustBook {
  trustList(): TrustEntry[]
  getTrust(deviceId: string): TrustEntry | undefined
  putTrust(entry: TrustEntry): void
  /** Records contact with a device; only moves forward. */
  touchTrust(deviceId: string, lastSeenAt: number): void
}

/** What one peer session needs of the store: the logs, the trust list, the keyset's rank, one transaction for a trust merge. */
export interface SessionStore extends EntryLog, TrustBook, SnapshotShelf {
  getKeyset(): KeysetRow | undefined
  transaction<T>(fn: () => T): T
}

/**
 * Where entries and snapshot sets from peers go once verified and stored: merged into the vault
 * (the vault implements it; a locked vault merges what is stored at its next unlock).
 */
export interface EntryApplier {
  applyRemote(entries: LogEntry[]): void
  applySnapshot(): void
}
