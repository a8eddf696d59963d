import { LanvaultError } from "../errors.js"
import type { Logger } from "../log.js"
import { changeActor } from "../merge/index.js"
import type { BucketChange } from "../merge/types.js"
import { openEntry, type LogEntry } from "../store/index.js"
import type { VaultKeys } from "../account/index.js"
import { decodePayload } from "./change-payload.js"

/** Entries that could not be read at unlock: reported, skipped, never deleted. */
export interface UnreadableEntry {
  deviceId: string
  seq: number
  code: string
}

/** An entry's place in the logs, as text. */
export function position(entry: { deviceId: string; seq: number }): string {
  return `${entry.deviceId}:${entry.seq}`
}

/** What opening entries needs. */
export interface EntryReaderDeps {
  keys: VaultKeys
  accountId: Uint8Array
  logger: Logger
}

/**
 * Opens stored entries. Their signatures were checked when they were stored
 * (from a peer, a folder or a backup) or made here; the AEAD under the vault key
 * still authenticates every byte and the device, seq and epoch it claims, so a
 * row tampered with on disk fails here, and so does a change whose Automerge
 * actor is not the signing device. An entry that cannot be read is added to
 * `unreadable` (and logged), never fatal; one of an epoch without a key also
 * goes to `awaitKey`.
 */
export function openEntries(
  entries: readonly LogEntry[], deps: EntryReaderDeps,
  unreadable: UnreadableEntry[], awaitKey: (entry: LogEntry) => void,
): BucketChange[] {
  const changes: BucketChange[] = []
  for (const entry of entries) {
    try {
      const key = deps.keys.keys.get(entry.epoch)
      if (!key) {
        awaitKey(entry)
        throw new LanvaultError("DECRYPTION_FAILED", `no vault key for epoch ${entry.epoch}`)
      }
      const change = decodePayload(openEntry(entry, deps.accountId, key))
      // A device writes only as its own actor: an entry signed by one device never edits as another (issue 17 item 9).
      if (changeActor(change.change) !== entry.deviceId) throw new LanvaultError("CORRUPT_DATA", "a log entry's change names another device's actor")
      changes.push(change)
    } catch (error) {
      const code = error instanceof LanvaultError ? error.code : "INTERNAL"
      unreadable.push({ deviceId: entry.deviceId, seq: entry.seq, code })
      deps.logger.error("a log entry could not be read; skipped, kept on disk", { deviceId: entry.deviceId, seq: entry.seq, code })
    }
  }
  return changes
}

/** Changes grouped by bucket, each group in the order given. */
export function byBucket(changes: readonly BucketChange[]): BucketChange[][] {
  const groups = new Map<number, BucketChange[]>()
  for (const change of changes) {
    const group = groups.get(change.bucket)
    if (group) group.push(change)
    else groups.set(change.bucket, [change])
  }
  return [...groups.values()]
}
