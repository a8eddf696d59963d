import { BadSignatureError } from "../errors.js"
import { verifyEntry, type LogEntry } from "../store/log-entry.js"
import type { TrustEntry } from "../store/vault-store.js"
import { encodedEntryBytes } from "./messages.js"

/**
 * Checks every entry of a received batch before any is stored: each must be
 * signed by its device's key from the trust list. Throws BadSignatureError for
 * an entry of a device we do not trust or with a bad signature
 * (CorruptDataError if malformed). `lookup` is called once per device.
 */
export function verifyBatch(
  entries: readonly LogEntry[],
  accountId: Uint8Array,
  lookup: (deviceId: string) => TrustEntry | undefined,
): void {
  const keys = new Map<string, Uint8Array | undefined>()
  for (const entry of entries) {
    if (!keys.has(entry.deviceId)) keys.set(entry.deviceId, lookup(entry.deviceId)?.signPublic)
    const signPublic = keys.get(entry.deviceId)
    if (signPublic === undefined) {
      throw new BadSignatureError(`an entry of device ${entry.deviceId}, which is not in the trust list, was refused`)
    }
    verifyEntry(entry, accountId, signPublic)
  }
}

/**
 * The longest prefix of `page` whose encoded entries fit in `maxBytes`, and at
 * least one entry (a single larger entry still goes, alone). A prefix keeps
 * each device's entries contiguous, since pages are ordered by device then seq.
 */
export function takeBatch(page: readonly LogEntry[], maxBytes: number): LogEntry[] {
  let bytes = 0
  let count = 0
  for (const entry of page) {
    bytes += encodedEntryBytes(entry)
    if (count > 0 && bytes > maxBytes) break
    count++
  }
  return page.slice(0, count)
}
