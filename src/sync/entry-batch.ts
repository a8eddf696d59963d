import { BadSignatureError } from "../errors.js"
import { verifyEntry, type LogEntry } from "../store/log-entry.js"
import type { TrustEntry } from "../store/vault-store.js"
import { encodedEntryBytes } from "./messages.js"

/**
 * Checks every entry of a received batch before any is stored: each must be
 * signed by its device's key from the trust list. Throws BadSignatureError for
 * an entry of a device we do not trust or with a bad signature
 * (CorruptDataError if malformed). `lookup` is called once per device.
 * Returns the entries to store: those of a revoked device beyond its cutoff
 * (the last seq at revocation; none at all for a revocation without one) are
 * left out, whoever relays them.
 */
export function verifyBatch(
  entries: readonly LogEntry[],
  accountId: Uint8Array,
  lookup: (deviceId: string) => TrustEntry | undefined,
): LogEntry[] {
  const devices = new Map<string, TrustEntry | undefined>()
  const accepted: LogEntry[] = []
  for (const entry of entries) {
    if (!devices.has(entry.deviceId)) devices.set(entry.deviceId, lookup(entry.deviceId))
    const device = devices.get(entry.deviceId)
    if (device === undefined) {
      throw new BadSignatureError(`an entry of device ${entry.deviceId}, which is not in the trust list, was refused`)
    }
    verifyEntry(entry, accountId, device.signPublic)
    if (device.revokedAt === undefined || (device.lastSeq !== undefined && entry.seq <= device.lastSeq)) accepted.push(entry)
  }
  return accepted
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
