import { parseKeyset } from "../account/keyset.js"
import { concatBytes, fromBase64, toBase64, utf8 } from "../crypto/index.js"
import { CorruptDataError } from "../errors.js"
import { encodeEntry, readEntry, type LogEntry } from "../store/log-entry.js"
import type { TrustEntry } from "../store/vault-store.js"

/**
 * The `.lvbackup` file, as pure functions over bytes:
 * `LVBACKUP1\n ‖ JSON header ‖ \n ‖ encodeEntry(e1) ‖ encodeEntry(e2) …`.
 * The entries are encrypted and signed, the keyset is wrapped under password +
 * account key: the file restores the vault with both secrets, and reveals
 * nothing without them but device names, counts and times.
 */

/** First bytes of every backup; a new layout gets a new number. */
export const BACKUP_MAGIC = utf8("LVBACKUP1\n")
/** A header holds a keyset and a trust list: far below this. */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024
const NEWLINE = 0x0a
const ID_PATTERN = /^[0-9a-f]{32}$/
const HEX_PATTERN = /^(?:[0-9a-f]{2}){1,255}$/
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const PUBLIC_KEY_BYTES = 32

/** A device of the trust list as a backup header carries it (public parts only). */
export interface BackupTrust {
  deviceId: string
  name: string
  /** base64 of the Ed25519 public key. */
  signPublic: string
  /** base64 of the X25519 public key. */
  dhPublic: string
  addedAt: number
  revokedAt?: number
  /** base64 of the trust key's signature of the addition (store/trust-proof.ts): a restore checks it. */
  addSig?: string
  /** base64 of the trust key's signature of the revocation, and the cutoff it signs. */
  revokeSig?: string
  lastSeq?: number
  /** The rename that gave `name` (only a signed one is carried) and base64 of the trust key's signature of it. */
  renamedAt?: number
  renameSig?: string
}

/**
 * A vault kept from before a reset (`join` found it): its own keyset stays as it
 * was (old password + old account key); the old account key, and the old vault
 * keys when the old password was given at join, are sealed to the new account's
 * trust key (crypto/sealed-box.ts), so only an unlocked device of the account
 * that joined opens them. `lanvault backup restore` brings its records in.
 */
export interface FormerVault {
  /** base64 of the old account key sealed to the trust key. */
  accountKey: string
  /** base64 of the old vault keys (JSON) sealed to the trust key: brought in at the first unlock without a password. */
  vaultKeys?: string
  /** The old vault's bucket count (its changes name their buckets). */
  bucketCount: number
}

/** The JSON line after the magic. */
export interface BackupHeader {
  /** hex, as the store's meta holds it. */
  accountId: string
  /** Account generation (bumped by a reset) the backup was made in. */
  generation: number
  /** ms since the epoch. */
  createdAt: number
  keysetVersion: number
  /** base64 of the stored wrapped keyset blob. */
  keyset: string
  trust: BackupTrust[]
  entryCount: number
  /** Name of the device that made it. */
  deviceName: string
  /** Set on a vault kept from before a reset of the account. */
  former?: FormerVault
  /**
   * base64 of the trust key's signature over account id and generation. With the
   * trust list's signatures it authenticates the header: a restore refuses a
   * backup without them (issue 17 item 8).
   */
  generationSig?: string
}

/** A backup read back and checked for shape (signatures are checked at restore). */
export interface Backup {
  header: BackupHeader
  keyset: Uint8Array
  trust: TrustEntry[]
  entries: LogEntry[]
}

/** The header's bytes (magic, JSON, newline): entries follow. */
export function encodeBackupHeader(header: BackupHeader): Uint8Array {
  return concatBytes(BACKUP_MAGIC, utf8(JSON.stringify(header)), Uint8Array.of(NEWLINE))
}

/** A whole backup file in memory (tests, small vaults); the service streams instead. */
export function encodeBackup(header: BackupHeader, entries: readonly LogEntry[]): Uint8Array {
  return concatBytes(encodeBackupHeader(header), ...entries.map(encodeEntry))
}

/** A trust entry's public parts, for a backup header (lastSeenAt is local and left out). */
export function trustToBackup(entry: TrustEntry): BackupTrust {
  const out: BackupTrust = {
    deviceId: entry.deviceId, name: entry.name,
    signPublic: toBase64(entry.signPublic), dhPublic: toBase64(entry.dhPublic), addedAt: entry.addedAt,
  }
  if (entry.revokedAt !== undefined) out.revokedAt = entry.revokedAt
  if (entry.addSig !== undefined) out.addSig = toBase64(entry.addSig)
  if (entry.revokeSig !== undefined && entry.lastSeq !== undefined) {
    out.revokeSig = toBase64(entry.revokeSig)
    out.lastSeq = entry.lastSeq
  }
  if (entry.renamedAt !== undefined && entry.renameSig !== undefined) {
    out.renamedAt = entry.renamedAt
    out.renameSig = toBase64(entry.renameSig)
  }
  return out
}

/**
 * Finds and checks the header at the start of `bytes` (which may be only the
 * file's beginning); `end` is where the entries start. CorruptDataError if the
 * bytes are not a backup, or the header is cut off or malformed.
 */
export function parseBackupHeader(bytes: Uint8Array): { header: BackupHeader; end: number } {
  if (bytes.length < BACKUP_MAGIC.length || BACKUP_MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new CorruptDataError("not a lanvault backup (bad magic)")
  }
  const newline = bytes.indexOf(NEWLINE, BACKUP_MAGIC.length)
  if (newline < 0) {
    throw new CorruptDataError(bytes.length >= MAX_HEADER_BYTES ? "the backup header is too large" : "the backup is truncated inside its header")
  }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(BACKUP_MAGIC.length, newline)))
  } catch (cause) {
    throw new CorruptDataError("the backup header is not valid JSON", { cause })
  }
  return { header: checkHeader(json), end: newline + 1 }
}

/**
 * Reads a whole backup: header, keyset, trust list and every entry. Checks that
 * the entry count matches, that each entry is well-formed, belongs to a device of
 * the trust list, and that each device's entries run 1, 2, 3… without gaps.
 */
export function parseBackup(bytes: Uint8Array): Backup {
  const { header, end } = parseBackupHeader(bytes)
  const trust = header.trust.map(trustFromBackup)
  const known = new Set(trust.map((t) => t.deviceId))
  const keyset = fromBase64(header.keyset)
  const parsedKeyset = parseKeyset(keyset)
  if (parsedKeyset.version !== header.keysetVersion) throw new CorruptDataError("the backup's keyset version does not match its header")
  const entries: LogEntry[] = []
  const heads = new Map<string, number>()
  let at = end
  while (at < bytes.length) {
    if (entries.length >= header.entryCount) throw new CorruptDataError("the backup has bytes after its last entry")
    const { entry, next } = readBackupEntry(bytes, at, entries.length, header.entryCount)
    if (!known.has(entry.deviceId)) throw new CorruptDataError(`the backup holds entries of device ${entry.deviceId}, which its trust list lacks`)
    const expected = (heads.get(entry.deviceId) ?? 0) + 1
    if (entry.seq !== expected) throw new CorruptDataError(`the backup has seq ${entry.seq} of device ${entry.deviceId} where ${expected} belongs`)
    heads.set(entry.deviceId, entry.seq)
    entries.push(entry)
    at = next
  }
  if (entries.length !== header.entryCount) {
    throw new CorruptDataError(`the backup is truncated: it holds ${entries.length} of ${header.entryCount} entries`)
  }
  return { header, keyset, trust, entries }
}

function readBackupEntry(bytes: Uint8Array, at: number, index: number, count: number): { entry: LogEntry; next: number } {
  try {
    return readEntry(bytes, at)
  } catch (cause) {
    throw new CorruptDataError(`the backup is damaged or truncated at entry ${index + 1} of ${count}`, { cause })
  }
}

function trustFromBackup(t: BackupTrust): TrustEntry {
  const entry: TrustEntry = { deviceId: t.deviceId, name: t.name, signPublic: fromBase64(t.signPublic), dhPublic: fromBase64(t.dhPublic), addedAt: t.addedAt }
  if (entry.signPublic.length !== PUBLIC_KEY_BYTES || entry.dhPublic.length !== PUBLIC_KEY_BYTES) {
    throw new CorruptDataError(`the backup's trust list has a malformed key for device ${t.deviceId}`)
  }
  if (t.revokedAt !== undefined) entry.revokedAt = t.revokedAt
  if (t.addSig !== undefined) entry.addSig = fromBase64(t.addSig)
  if (t.revokeSig !== undefined && t.lastSeq !== undefined) {
    entry.revokeSig = fromBase64(t.revokeSig)
    entry.lastSeq = t.lastSeq
  }
  if (t.renamedAt !== undefined && t.renameSig !== undefined) {
    entry.renamedAt = t.renamedAt
    entry.renameSig = fromBase64(t.renameSig)
  }
  return entry
}

function checkHeader(value: unknown): BackupHeader {
  const h = value as Partial<BackupHeader> | null
  const fail = (what: string): never => {
    throw new CorruptDataError(`the backup header has ${what}`)
  }
  if (typeof h !== "object" || h === null || Array.isArray(h)) return fail("no fields")
  if (typeof h.accountId !== "string" || !HEX_PATTERN.test(h.accountId)) fail("no valid account id")
  if (!isCount(h.generation)) fail("no valid generation")
  if (!isCount(h.createdAt)) fail("no valid creation time")
  if (!isCount(h.keysetVersion) || h.keysetVersion < 1) fail("no valid keyset version")
  if (typeof h.keyset !== "string" || h.keyset === "" || !BASE64_PATTERN.test(h.keyset)) fail("no valid keyset")
  if (!isCount(h.entryCount)) fail("no valid entry count")
  if (typeof h.deviceName !== "string") fail("no valid device name")
  if (h.generationSig !== undefined && !isBase64(h.generationSig)) fail("no valid generation signature")
  if (!Array.isArray(h.trust) || h.trust.length === 0) return fail("no trust list")
  const seen = new Set<string>()
  for (const t of h.trust as unknown[]) {
    const d = t as Partial<BackupTrust> | null
    if (typeof d !== "object" || d === null || typeof d.deviceId !== "string" || !ID_PATTERN.test(d.deviceId) ||
      seen.has(d.deviceId) || typeof d.name !== "string" || !isBase64(d.signPublic) || !isBase64(d.dhPublic) ||
      !isCount(d.addedAt) || (d.revokedAt !== undefined && !isCount(d.revokedAt)) || (d.addSig !== undefined && !isBase64(d.addSig)) ||
      (d.revokeSig !== undefined && !isBase64(d.revokeSig)) || (d.lastSeq !== undefined && !isCount(d.lastSeq)) ||
      (d.renamedAt !== undefined && !isCount(d.renamedAt)) || (d.renameSig !== undefined && !isBase64(d.renameSig))) {
      fail("a malformed trust list")
    }
    seen.add((d as BackupTrust).deviceId)
  }
  if (h.former !== undefined) checkFormer(h.former, fail)
  return h as BackupHeader
}

function checkFormer(value: unknown, fail: (what: string) => never): void {
  const f = value as Partial<FormerVault> | null
  if (typeof f !== "object" || f === null || !isBase64(f.accountKey) || f.accountKey === "" ||
    (f.vaultKeys !== undefined && (!isBase64(f.vaultKeys) || f.vaultKeys === "")) || !isCount(f.bucketCount) || f.bucketCount < 1) {
    fail("a malformed former-vault section")
  }
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

function isBase64(value: unknown): value is string {
  return typeof value === "string" && BASE64_PATTERN.test(value)
}
