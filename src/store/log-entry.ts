import { concatBytes, DEVICE_ID_PATTERN, equalBytes, fromHex, open, seal, sign, toHex, utf8, verify } from "../crypto/index.js"
import { CorruptDataError } from "../errors.js"

/** Domain separation: an entry signature or ciphertext can never pass for anything else. */
const ENTRY_DOMAIN = utf8("lanvault entry v1")
/** First byte of an encoded entry; a new layout gets a new number. */
const ENCODING_VERSION = 1
const DEVICE_ID_BYTES = 16
const SIGNATURE_BYTES = 64
const SEQ_BYTES = 8
const EPOCH_BYTES = 4
const LENGTH_BYTES = 4
const MAX_ACCOUNT_ID_BYTES = 255
const MAX_EPOCH = 0xffff_ffff
/** XChaCha20-Poly1305 output is nonce (24) ‖ ciphertext ‖ tag (16). */
const MIN_CIPHERTEXT_BYTES = 24 + 16
/** An Automerge change of one bucket is far smaller; this bounds what a peer can make us allocate. */
export const MAX_CIPHERTEXT_BYTES = 64 * 1024 * 1024
const HEADER_BYTES = 1 + DEVICE_ID_BYTES + SEQ_BYTES + EPOCH_BYTES + LENGTH_BYTES
/** A device id: 16 random bytes in lower-case hex (an account id has the same form); defined in crypto/bytes. */
export { DEVICE_ID_PATTERN }

/**
 * One change of one device's log: the unit of sync on the wire, in sync folders
 * and on disk. Opaque without the vault key, yet verifiable with only the
 * device's public key, so a locked daemon can check and forward it.
 */
export interface LogEntry {
  /** 32 lower-case hex characters (16 random bytes). */
  deviceId: string
  /** 1, 2, 3… per device, without gaps. */
  seq: number
  /** Vault-key epoch whose key sealed the payload. */
  epoch: number
  /** XChaCha20-Poly1305: nonce ‖ ciphertext ‖ tag. */
  ciphertext: Uint8Array
  /** Ed25519 over (associated data ‖ ciphertext), 64 bytes. */
  signature: Uint8Array
}

/** What {@link sealEntry} needs: the payload, where it sits in the log, and the keys. */
export interface SealEntryArgs {
  accountId: Uint8Array
  deviceId: string
  seq: number
  epoch: number
  vaultKey: Uint8Array
  signSecret: Uint8Array
  payload: Uint8Array
}

/**
 * Encrypts a payload for the log and signs it. The associated data binds the
 * account, device, sequence number and key epoch, so an entry cannot be replayed
 * into another account, another device's log, another position or another epoch.
 */
export function sealEntry(args: SealEntryArgs): LogEntry {
  const { accountId, deviceId, seq, epoch } = args
  const ad = associatedData(accountId, deviceId, seq, epoch)
  // draft-irtf-cfrg-xchacha §2 (AEAD), then RFC 8032 §5.1.6 (Ed25519 sign) over AD ‖ ciphertext.
  const ciphertext = seal(args.vaultKey, args.payload, ad)
  const signature = sign(args.signSecret, concatBytes(ad, ciphertext))
  return { deviceId, seq, epoch, ciphertext, signature }
}

/**
 * Checks that `entry` was made by the holder of `signPublic` for this account,
 * untouched. Needs no vault key. Throws BadSignatureError (CorruptDataError if
 * the entry is not even well-formed).
 */
export function verifyEntry(entry: LogEntry, accountId: Uint8Array, signPublic: Uint8Array): void {
  checkEntry(entry)
  const ad = associatedData(accountId, entry.deviceId, entry.seq, entry.epoch)
  // RFC 8032 §5.1.7
  verify(signPublic, concatBytes(ad, entry.ciphertext), entry.signature)
}

/**
 * Decrypts an entry's payload with the vault key of its epoch. Throws
 * DecryptionError on a wrong key or any tampering with the ciphertext or with
 * the fields bound as associated data. Does not check the signature: call
 * {@link verifyEntry} first for entries from elsewhere.
 */
export function openEntry(entry: LogEntry, accountId: Uint8Array, vaultKey: Uint8Array): Uint8Array {
  checkEntry(entry)
  return open(vaultKey, entry.ciphertext, associatedData(accountId, entry.deviceId, entry.seq, entry.epoch))
}

/**
 * Compact binary form, for the wire and for sync-folder files:
 * `u8 version=1 ‖ deviceId (16) ‖ u64be seq ‖ u32be epoch ‖ u32be length ‖ ciphertext ‖ signature (64)`.
 */
export function encodeEntry(entry: LogEntry): Uint8Array {
  checkEntry(entry)
  const out = new Uint8Array(HEADER_BYTES + entry.ciphertext.length + SIGNATURE_BYTES)
  const view = new DataView(out.buffer)
  let at = 0
  out[at++] = ENCODING_VERSION
  out.set(fromHex(entry.deviceId), at)
  at += DEVICE_ID_BYTES
  view.setBigUint64(at, BigInt(entry.seq))
  at += SEQ_BYTES
  view.setUint32(at, entry.epoch)
  at += EPOCH_BYTES
  view.setUint32(at, entry.ciphertext.length)
  at += LENGTH_BYTES
  out.set(entry.ciphertext, at)
  out.set(entry.signature, at + entry.ciphertext.length)
  return out
}

/** Reads exactly one encoded entry; anything else (short, long, malformed) throws CorruptDataError. */
export function decodeEntry(bytes: Uint8Array): LogEntry {
  const { entry, next } = readEntry(bytes, 0)
  if (next !== bytes.length) throw new CorruptDataError(`log entry has ${bytes.length - next} trailing bytes`)
  return entry
}

/**
 * Reads one encoded entry starting at `offset` of a longer buffer (e.g. a file of
 * concatenated entries) and says where the next one starts. Throws
 * CorruptDataError, never anything else, on malformed or truncated input.
 */
export function readEntry(bytes: Uint8Array, offset: number): { entry: LogEntry; next: number } {
  if (!(bytes instanceof Uint8Array)) throw new CorruptDataError("log entry is not binary data")
  if (!Number.isSafeInteger(offset) || offset < 0 || bytes.length - offset < HEADER_BYTES) {
    throw new CorruptDataError("log entry is truncated")
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = offset
  const version = bytes[at++]
  if (version !== ENCODING_VERSION) throw new CorruptDataError(`unknown log entry format ${version}`)
  const deviceId = toHex(bytes.subarray(at, at + DEVICE_ID_BYTES))
  at += DEVICE_ID_BYTES
  const seq = view.getBigUint64(at)
  at += SEQ_BYTES
  const epoch = view.getUint32(at)
  at += EPOCH_BYTES
  const length = view.getUint32(at)
  at += LENGTH_BYTES
  if (length > MAX_CIPHERTEXT_BYTES) throw new CorruptDataError("log entry ciphertext is too large")
  if (bytes.length - at < length + SIGNATURE_BYTES) throw new CorruptDataError("log entry is truncated")
  const ciphertext = bytes.slice(at, at + length)
  const signature = bytes.slice(at + length, at + length + SIGNATURE_BYTES)
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptDataError("log entry sequence number is out of range")
  const entry: LogEntry = { deviceId, seq: Number(seq), epoch, ciphertext, signature }
  checkEntry(entry)
  return { entry, next: at + length + SIGNATURE_BYTES }
}

/**
 * Throws CorruptDataError unless `entry` has the shape of a log entry: a 32-hex
 * device id, seq ≥ 1, a u32 epoch, a plausible ciphertext and a 64-byte signature.
 * Says nothing about authenticity (see {@link verifyEntry}).
 */
export function checkEntry(entry: LogEntry): void {
  if (typeof entry !== "object" || entry === null) throw new CorruptDataError("log entry is not an object")
  checkPosition(entry.deviceId, entry.seq, entry.epoch)
  const { ciphertext, signature } = entry
  if (!(ciphertext instanceof Uint8Array) || ciphertext.length < MIN_CIPHERTEXT_BYTES || ciphertext.length > MAX_CIPHERTEXT_BYTES) {
    throw new CorruptDataError("log entry ciphertext has an impossible length")
  }
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) {
    throw new CorruptDataError(`log entry signature must be ${SIGNATURE_BYTES} bytes`)
  }
}

function checkPosition(deviceId: string, seq: number, epoch: number): void {
  if (typeof deviceId !== "string" || !DEVICE_ID_PATTERN.test(deviceId)) {
    throw new CorruptDataError("log entry device id is not 32 lower-case hex characters")
  }
  if (!Number.isSafeInteger(seq) || seq < 1) throw new CorruptDataError("log entry sequence number must be 1 or more")
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw new CorruptDataError("log entry key epoch is out of range")
  }
}

/** Whether two entries are the same bytes (same position, epoch, ciphertext and signature). */
export function sameEntry(a: LogEntry, b: LogEntry): boolean {
  return a.deviceId === b.deviceId && a.seq === b.seq && a.epoch === b.epoch &&
    equalBytes(a.ciphertext, b.ciphertext) && equalBytes(a.signature, b.signature)
}

/** `"lanvault entry v1" ‖ u8 len ‖ accountId ‖ deviceId (16) ‖ u64be seq ‖ u32be epoch`: fixed layout, so unambiguous. */
function associatedData(accountId: Uint8Array, deviceId: string, seq: number, epoch: number): Uint8Array {
  if (!(accountId instanceof Uint8Array) || accountId.length === 0 || accountId.length > MAX_ACCOUNT_ID_BYTES) {
    throw new TypeError(`account id must be 1 to ${MAX_ACCOUNT_ID_BYTES} bytes`)
  }
  checkPosition(deviceId, seq, epoch)
  const tail = new Uint8Array(DEVICE_ID_BYTES + SEQ_BYTES + EPOCH_BYTES)
  const view = new DataView(tail.buffer)
  tail.set(fromHex(deviceId), 0)
  view.setBigUint64(DEVICE_ID_BYTES, BigInt(seq))
  view.setUint32(DEVICE_ID_BYTES + SEQ_BYTES, epoch)
  return concatBytes(ENTRY_DOMAIN, Uint8Array.of(accountId.length), accountId, tail)
}

