import type { LogEntry } from "../store/log-entry.js"
import type { InsertOptions, InsertResult, TrustEntry } from "../store/vault-store.js"

/** What folder sync needs of the store: a device's log (head, pages, inserting verified entries) and who is trusted. */
export interface FolderStore {
  /** The highest seq stored of a device (0 when none). */
  head(deviceId: string): number
  /** One device's entries with seq > afterSeq, ascending, at most `limit`. */
  entriesOf(deviceId: string, afterSeq: number, limit?: number): LogEntry[]
  /** Stores verified entries, all or none. */
  insertEntries(entries: readonly LogEntry[], options?: InsertOptions): InsertResult
  getTrust(deviceId: string): TrustEntry | undefined
}

/** The saved list of sync folders, kept in the meta table. */
export interface FolderListShelf {
  getMeta(key: string): string | undefined
  setMeta(key: string, value: string): void
}
