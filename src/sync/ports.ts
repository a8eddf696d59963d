import type { LogEntry } from "../store/log-entry.js"
import type { InsertResult, KeysetRow, TrustEntry, VersionVector } from "../store/vault-store.js"

/** The change logs as sync reads and extends them (the store implements it). */
export interface EntryLog {
  /** Heads of every device with at least one entry. */
  versionVector(): VersionVector
  /** Entries after `vector`, device then seq, at most `limit`: O(devices + entries returned). */
  entriesAfter(vector: VersionVector, limit?: number): LogEntry[]
  /** Stores verified entries from a peer, all or none. */
  insertEntries(entries: readonly LogEntry[]): InsertResult
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
export interface SessionStore extends EntryLog, TrustBook {
  getKeyset(): KeysetRow | undefined
  transaction<T>(fn: () => T): T
}
