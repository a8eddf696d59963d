import { setImmediate as yieldToLoop } from "node:timers/promises"
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
  const devices = checkSignatures(entries, accountId, lookup)
  return acceptable(entries, (deviceId) => devices.get(deviceId))
}

/**
 * {@link verifyBatch} across turns of the event loop: at most `sliceEntries`
 * signatures per turn (each ≈ 0.1 ms), so a large batch (a first sync, the
 * entries under a snapshot) never holds the loop for long; before each slice it
 * waits for what `waitFor` names (an unlock under way goes first). Each device's trust
 * entry is read again after the last slice: a revocation or removal that came
 * meanwhile counts. Throws as verifyBatch does; nothing is stored either way.
 */
export async function verifyBatchInSlices(
  entries: readonly LogEntry[],
  accountId: Uint8Array,
  lookup: (deviceId: string) => TrustEntry | undefined,
  sliceEntries: number,
  waitFor: () => Promise<unknown> | undefined = () => undefined,
): Promise<LogEntry[]> {
  for (let start = 0; start < entries.length; start += sliceEntries) {
    if (start > 0) await yieldToLoop()
    for (let wait; (wait = waitFor()) !== undefined;) await wait.catch(() => undefined)
    checkSignatures(entries.slice(start, start + sliceEntries), accountId, lookup)
  }
  return acceptable(entries, lookup)
}

/** Checks each entry's signature against its device's key in the trust list; returns the trust entries read. */
function checkSignatures(entries: readonly LogEntry[], accountId: Uint8Array, lookup: (deviceId: string) => TrustEntry | undefined): Map<string, TrustEntry> {
  const devices = new Map<string, TrustEntry>()
  for (const entry of entries) {
    let device = devices.get(entry.deviceId)
    if (device === undefined) {
      device = trusted(entry.deviceId, lookup)
      devices.set(entry.deviceId, device)
    }
    verifyEntry(entry, accountId, device.signPublic)
  }
  return devices
}

/** The entries to store: all but those of a revoked device past its cutoff. */
function acceptable(entries: readonly LogEntry[], lookup: (deviceId: string) => TrustEntry | undefined): LogEntry[] {
  const devices = new Map<string, TrustEntry>()
  return entries.filter((entry) => {
    let device = devices.get(entry.deviceId)
    if (device === undefined) {
      device = trusted(entry.deviceId, lookup)
      devices.set(entry.deviceId, device)
    }
    return device.revokedAt === undefined || (device.lastSeq !== undefined && entry.seq <= device.lastSeq)
  })
}

function trusted(deviceId: string, lookup: (deviceId: string) => TrustEntry | undefined): TrustEntry {
  const device = lookup(deviceId)
  if (device === undefined) throw new BadSignatureError(`an entry of device ${deviceId}, which is not in the trust list, was refused`)
  return device
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
