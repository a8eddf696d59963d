import { concatBytes, utf8, verify } from "../crypto/index.js"
import type { VersionVector } from "../store/vault-store.js"
import { protocolError, type ByteReader } from "./byte-reader.js"
import { ByteWriter } from "./byte-writer.js"
import { readVector, writeVector } from "./vector-codec.js"

/** Domain separation: a snapshot signature can never pass for an entry's or anything else's. */
const SNAPSHOT_PART_DOMAIN = "lanvault snapshot part v1"
const SIGNATURE_BYTES = 64
const MAX_ACCOUNT_ID_BYTES = 255
/** A log entry names its bucket as a u16 (vault/change-payload), so a set has at most this many. */
const MAX_BUCKET_COUNT = 65_536

/**
 * One bucket of a snapshot set a device serves to a far-behind peer
 * (snapshot-first sync, DESIGN §8): the bucket's encrypted Automerge `save()`
 * exactly as the sender stores it (sealed under the vault key of `epoch`, its
 * associated data binding account, bucket, epoch and vector), and the sender's
 * Ed25519 signature binding all of that to the account, so a locked receiver
 * can check who made it before storing it.
 */
export interface SnapshotMessage {
  type: "snapshot"
  /** How many buckets the set has (the buckets its sender's vault holds: any numbers, see merge/bucket.ts). */
  bucketCount: number
  bucket: number
  epoch: number
  /** What the whole set covers; every part of a set names the same. */
  vector: VersionVector
  ciphertext: Uint8Array
  /** The sender's Ed25519 signature over {@link snapshotSigningBytes}. */
  signature: Uint8Array
}

/** The part's fields without the signature. */
export type UnsignedSnapshotPart = Omit<SnapshotMessage, "type" | "signature">

/**
 * What the sender signs: `"lanvault snapshot part v1" ‖ u8 len ‖ accountId ‖
 * u32 bucketCount ‖ u32 bucket ‖ u32 epoch ‖ vector (sorted by device) ‖ ciphertext`.
 */
export function snapshotSigningBytes(accountId: Uint8Array, part: UnsignedSnapshotPart): Uint8Array {
  if (accountId.length === 0 || accountId.length > MAX_ACCOUNT_ID_BYTES) throw new TypeError("account id must be 1 to 255 bytes")
  const w = new ByteWriter().u8(accountId.length).bytes(accountId).u32(part.bucketCount).u32(part.bucket).u32(part.epoch)
  writeVector(w, sortedVector(part.vector))
  return concatBytes(utf8(SNAPSHOT_PART_DOMAIN), w.finish(), part.ciphertext)
}


/** Checks a part's signature against the sender's key (RFC 8032 §5.1.7); throws BadSignatureError. */
export function verifySnapshotPart(accountId: Uint8Array, part: SnapshotMessage, signPublic: Uint8Array): void {
  verify(signPublic, snapshotSigningBytes(accountId, part), part.signature)
}

/** `u32 bucketCount ‖ u32 bucket ‖ u32 epoch ‖ vector ‖ u32 length ‖ ciphertext ‖ signature (64)`. */
export function writeSnapshotPart(w: ByteWriter, part: SnapshotMessage): void {
  if (part.signature.length !== SIGNATURE_BYTES) throw new TypeError(`a snapshot signature is ${SIGNATURE_BYTES} bytes`)
  w.u32(part.bucketCount).u32(part.bucket).u32(part.epoch)
  writeVector(w, part.vector)
  w.u32(part.ciphertext.length).bytes(part.ciphertext).bytes(part.signature)
}

export function readSnapshotPart(r: ByteReader): SnapshotMessage {
  const bucketCount = r.u32()
  const bucket = r.u32()
  const epoch = r.u32()
  const vector = readVector(r)
  if (bucketCount < 1 || bucketCount > MAX_BUCKET_COUNT || bucket >= MAX_BUCKET_COUNT) {
    throw protocolError(`a snapshot part names bucket ${bucket} of a set of ${bucketCount}`)
  }
  const ciphertext = r.bytes(r.u32())
  return { type: "snapshot", bucketCount, bucket, epoch, vector, ciphertext, signature: r.bytes(SIGNATURE_BYTES) }
}

function sortedVector(vector: VersionVector): VersionVector {
  return Object.fromEntries(Object.keys(vector).sort().map((deviceId) => [deviceId, vector[deviceId]]))
}
