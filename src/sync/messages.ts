import { LanvaultError } from "../errors.js"
import { MAX_MESSAGE_BYTES } from "../limits.js"
import { KEYSET_DIGEST_BYTES, type KeysetRank } from "../store/keyset-rank.js"
import { encodeEntry, readEntry, type LogEntry } from "../store/log-entry.js"
import type { TrustEntry, VersionVector } from "../store/vault-store.js"
import { ByteReader, protocolError } from "./byte-reader.js"
import { ProtocolVersionError } from "./protocol-version-error.js"
import { ByteWriter } from "./byte-writer.js"
import { MAX_NAME_BYTES, nameBytes, utf8Strict } from "./text-fields.js"
import { readSnapshotPart, writeSnapshotPart, type SnapshotMessage } from "./snapshot-part.js"
import { readVector, writeVector } from "./vector-codec.js"
import { readTrust, writeTrust } from "./trust-codec.js"

/**
 * Sync protocol version carried in `hello`; a peer speaking another one is refused.
 * 3: trust items carry the account trust key's signatures and a revocation's cutoff (issue 17).
 * 4: a device name carries the time of its rename; the newest rename wins everywhere (issue 11 item 9).
 * 5: snapshot-first sync (issue 18): `hello` carries the sender's floor vector, and a far-behind
 *    peer first receives signed, encrypted per-bucket `snapshot` messages, then the log tail.
 * 6: a rename carries the trust key's signature (trust flag 0x10); unsigned renames are ignored (issue 17).
 * 7: a `snapshot` part's sealed bucket may hold the bucket's summary index beside its Automerge save
 *    (merge/bucket-snapshot.ts), so a far-behind device lists records without loading buckets (issue 18).
 * 8: a record id names its bucket, so entries and snapshot parts name any bucket 0 … 65,535 and a
 *    snapshot set holds the buckets its vault has (issue 18); a v7 device would hide those records.
 */
export const SYNC_PROTOCOL_VERSION = 8
/** Largest message a link carries (PeerLink contract). */
export { MAX_MESSAGE_BYTES }
export { MAX_NAME_BYTES, nameBytes, utf8Strict }
/** Longest control kind, in UTF-8 bytes. */
export const MAX_CONTROL_KIND_BYTES = 64

const DEVICE_ID_BYTES = 16
const ACCOUNT_KEY_BYTES = 16
const PUBLIC_KEY_BYTES = 32
/** Header and signature around an entry's ciphertext (see encodeEntry). */
const ENTRY_OVERHEAD_BYTES = 1 + DEVICE_ID_BYTES + 8 + 4 + 4 + 64
const ENTRIES_FLAG_FINAL = 0x01
const ENTRIES_FLAG_TOTAL = 0x02
const TYPE_CODES = { hello: 1, entries: 2, ack: 3, keyset: 4, trust: 5, control: 6, snapshot: 7 } as const

/** A trust-list entry as peers exchange it: the local `lastSeenAt` stays home. */
export type TrustInfo = Omit<TrustEntry, "lastSeenAt">

/** First message each side sends: what it holds. */
export interface HelloMessage {
  type: "hello"
  vector: VersionVector
  /** Devices whose entries up to this seq the sender may not hold (it adopted a snapshot); left out when empty. */
  floor?: VersionVector
  /** Rank of the keyset held (version 0 and a zero digest when none). */
  keyset: KeysetRank
  trust: TrustInfo[]
}

/** A batch of log entries, each continuing what the receiver holds. */
export interface EntriesMessage {
  type: "entries"
  entries: LogEntry[]
  /** Last batch of the first catch-up after hello; later batches are live pushes. */
  final?: boolean
  /** On the first catch-up batch: how many entries the catch-up will bring. */
  total?: number
}

/** Flow control: the receiver processed an `entries` message of `count` entries. */
export interface AckMessage {
  type: "ack"
  count: number
}

/**
 * The wrapped vault keys with the account key that opens them (the link is
 * encrypted and sent only between trusted devices); the higher rank wins.
 */
export interface KeysetMessage {
  type: "keyset"
  version: number
  accountKey: Uint8Array
  blob: Uint8Array
}

/** The sender's trust list after a change. */
export interface TrustMessage {
  type: "trust"
  devices: TrustInfo[]
}

/** An opaque notice for the daemon (revoke, re-key, reset). */
export interface ControlMessage {
  type: "control"
  kind: string
  body: Uint8Array
}

/** Every message of the sync protocol. */
export type SyncMessage = HelloMessage | EntriesMessage | AckMessage | KeysetMessage | TrustMessage | ControlMessage | SnapshotMessage

export type { SnapshotMessage }

/** Bytes an entry takes inside an `entries` message. */
export function encodedEntryBytes(entry: LogEntry): number {
  return ENTRY_OVERHEAD_BYTES + entry.ciphertext.length
}

/**
 * Encodes a message: `u8 type ‖ fields`, big-endian integers, device ids as 16
 * raw bytes, entries in their {@link encodeEntry} form.
 */
export function encodeMessage(message: SyncMessage): Uint8Array {
  const w = new ByteWriter().u8(TYPE_CODES[message.type])
  switch (message.type) {
    case "hello":
      w.u8(SYNC_PROTOCOL_VERSION).u64(message.keyset.version).bytes(checkDigest(message.keyset.digest))
      writeVector(w, message.vector)
      writeVector(w, message.floor ?? {})
      writeTrust(w, message.trust)
      break
    case "entries":
      writeEntries(w, message)
      break
    case "ack":
      w.u32(message.count)
      break
    case "keyset":
      if (message.accountKey.length !== ACCOUNT_KEY_BYTES) throw new TypeError(`an account key is ${ACCOUNT_KEY_BYTES} bytes`)
      w.u64(message.version).bytes(message.accountKey).bytes(message.blob)
      break
    case "trust":
      writeTrust(w, message.devices)
      break
    case "control":
      writeControl(w, message)
      break
    case "snapshot":
      writeSnapshotPart(w, message)
      break
  }
  return w.finish()
}

/** Decodes one message; anything malformed throws LanvaultError("PROTOCOL_ERROR") and nothing else. */
export function decodeMessage(bytes: Uint8Array): SyncMessage {
  try {
    if (!(bytes instanceof Uint8Array)) throw protocolError("not binary data")
    if (bytes.length > MAX_MESSAGE_BYTES) throw protocolError("the message is too large")
    const r = new ByteReader(bytes)
    const message = readBody(r, r.u8())
    r.end()
    return message
  } catch (error) {
    if (error instanceof LanvaultError && error.code === "PROTOCOL_ERROR") throw error
    throw protocolError(error instanceof Error ? error.message : "unreadable", error)
  }
}

function readBody(r: ByteReader, type: number): SyncMessage {
  switch (type) {
    case TYPE_CODES.hello:
      return readHello(r)
    case TYPE_CODES.entries:
      return readEntries(r)
    case TYPE_CODES.ack:
      return { type: "ack", count: r.u32() }
    case TYPE_CODES.keyset:
      return readKeyset(r)
    case TYPE_CODES.trust:
      return { type: "trust", devices: readTrust(r) }
    case TYPE_CODES.control:
      return readControl(r)
    case TYPE_CODES.snapshot:
      return readSnapshotPart(r)
    default:
      throw protocolError(`unknown message type ${type}`)
  }
}

function checkDigest(digest: Uint8Array): Uint8Array {
  if (digest.length !== KEYSET_DIGEST_BYTES) throw new TypeError(`a keyset digest is ${KEYSET_DIGEST_BYTES} bytes`)
  return digest
}

function readHello(r: ByteReader): HelloMessage {
  const version = r.u8()
  if (version !== SYNC_PROTOCOL_VERSION) throw new ProtocolVersionError(version, SYNC_PROTOCOL_VERSION)
  const keyset = { version: r.u64(), digest: r.bytes(KEYSET_DIGEST_BYTES) }
  const vector = readVector(r)
  const floor = readVector(r)
  const hello: HelloMessage = { type: "hello", vector, keyset, trust: readTrust(r) }
  if (Object.keys(floor).length > 0) hello.floor = floor
  return hello
}

function readKeyset(r: ByteReader): KeysetMessage {
  const version = r.u64()
  if (version < 1) throw protocolError("keyset version must be 1 or more")
  const accountKey = r.bytes(ACCOUNT_KEY_BYTES)
  return { type: "keyset", version, accountKey, blob: r.rest() }
}

function writeEntries(w: ByteWriter, message: EntriesMessage): void {
  const hasTotal = message.total !== undefined
  w.u8((message.final === true ? ENTRIES_FLAG_FINAL : 0) | (hasTotal ? ENTRIES_FLAG_TOTAL : 0))
  if (hasTotal) w.u64(message.total as number)
  w.u32(message.entries.length)
  for (const entry of message.entries) w.bytes(encodeEntry(entry))
}

function readEntries(r: ByteReader): EntriesMessage {
  const flags = r.u8()
  if ((flags & ~(ENTRIES_FLAG_FINAL | ENTRIES_FLAG_TOTAL)) !== 0) throw protocolError("unknown entries flags")
  const total = flags & ENTRIES_FLAG_TOTAL ? r.u64() : undefined
  const count = r.u32()
  if (count * ENTRY_OVERHEAD_BYTES > r.remaining) throw protocolError("the entries are truncated")
  const entries: LogEntry[] = []
  const input = r.restView()
  let at = 0
  for (let i = 0; i < count; i++) {
    const { entry, next } = readEntry(input, at)
    entries.push(entry)
    at = next
  }
  if (at !== input.length) throw protocolError(`the message has ${input.length - at} trailing bytes`)
  const message: EntriesMessage = { type: "entries", entries }
  if (flags & ENTRIES_FLAG_FINAL) message.final = true
  if (total !== undefined) message.total = total
  return message
}

/** Throws TypeError unless `kind` is 1 to 64 bytes of UTF-8 (a caller's mistake, checked before anything is sent). */
export function checkControlKind(kind: string): void {
  const length = typeof kind === "string" ? new TextEncoder().encode(kind).length : 0
  if (length < 1 || length > MAX_CONTROL_KIND_BYTES) throw new TypeError(`control kind must be 1 to ${MAX_CONTROL_KIND_BYTES} bytes`)
}

function writeControl(w: ByteWriter, message: ControlMessage): void {
  checkControlKind(message.kind)
  const kind = new TextEncoder().encode(message.kind)
  w.u8(kind.length).bytes(kind).bytes(message.body)
}

function readControl(r: ByteReader): ControlMessage {
  const length = r.u8()
  if (length < 1 || length > MAX_CONTROL_KIND_BYTES) throw protocolError("control kind has an impossible length")
  const kind = utf8Strict(r.bytes(length))
  return { type: "control", kind, body: r.rest() }
}
