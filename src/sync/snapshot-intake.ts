import { BadSignatureError } from "../errors.js"
import type { SnapshotRow, TrustEntry, VersionVector } from "../store/vault-store.js"
import { protocolError } from "./byte-reader.js"
import { verifySnapshotPart, type SnapshotMessage } from "./snapshot-part.js"
import { seqOf } from "./version-vector.js"

/**
 * Largest encrypted bucket a snapshot part may carry. A bucket holds at most
 * about BUCKET_FULL_RECORDS records (≈ 25 KB); a vault from before issue 18 may
 * hold ≈ 1,600 in one. This bounds what a peer can make a receiver hold.
 */
export const MAX_SNAPSHOT_BUCKET_BYTES = 4 * 1024 * 1024
/** Largest snapshot set, all buckets together. */
export const MAX_SNAPSHOT_SET_BYTES = 256 * 1024 * 1024

/** What an intake checks parts against: this device's view of the account. */
export interface SnapshotIntakeDeps {
  accountId: Uint8Array
  /** Vault-key epochs this device's keyset names (its public list): a part sealed under another is refused. */
  knownEpochs: ReadonlySet<number>
  lookup: (deviceId: string) => TrustEntry | undefined
}

/** A complete, verified set: one row per bucket of the sender's vault, all covering `vector`. */
export interface SnapshotSet {
  vector: VersionVector
  rows: SnapshotRow[]
}

/**
 * Collects the parts of one snapshot set from one peer and checks each before
 * keeping it: signed by that peer, a trusted device; bound to this account; of
 * one set size and an epoch this device knows; within size
 * bounds; and claiming no entry the peer did not say it holds in its hello (nor
 * one of a device outside the trust list or past a revocation's cutoff). Any
 * failure throws (PROTOCOL_ERROR or BAD_SIGNATURE): the session closes the
 * link and nothing of the set is stored.
 */
export class SnapshotIntake {
  private readonly rows = new Map<number, SnapshotRow>()
  private first: SnapshotMessage | undefined
  private bytes = 0

  constructor(private readonly deps: SnapshotIntakeDeps, private readonly senderId: string, private readonly senderVector: VersionVector) {}

  /** Takes one part; returns the set once every bucket arrived. */
  receive(part: SnapshotMessage): SnapshotSet | undefined {
    this.checkSender(part)
    this.checkShape(part)
    this.checkClaims(part)
    this.first ??= part
    this.rows.set(part.bucket, { bucket: part.bucket, epoch: part.epoch, vector: part.vector, ciphertext: part.ciphertext })
    if (this.rows.size < part.bucketCount) return undefined
    const rows = [...this.rows.values()].sort((a, b) => a.bucket - b.bucket)
    return { vector: part.vector, rows }
  }

  private checkSender(part: SnapshotMessage): void {
    const sender = this.deps.lookup(this.senderId)
    if (sender === undefined || sender.revokedAt !== undefined) {
      throw new BadSignatureError(`a snapshot from device ${this.senderId}, which is not a trusted device, was refused`)
    }
    verifySnapshotPart(this.deps.accountId, part, sender.signPublic)
  }

  private checkShape(part: SnapshotMessage): void {
    if (this.first !== undefined && part.bucketCount !== this.first.bucketCount) {
      throw protocolError(`the parts of a snapshot set say ${this.first.bucketCount} and ${part.bucketCount} buckets`)
    }
    if (this.rows.has(part.bucket)) throw protocolError(`a snapshot sent bucket ${part.bucket} twice`)
    if (!this.deps.knownEpochs.has(part.epoch)) throw protocolError(`a snapshot sealed under vault-key epoch ${part.epoch}, which this account's keyset does not name`)
    if (part.ciphertext.length > MAX_SNAPSHOT_BUCKET_BYTES) throw protocolError(`a snapshot bucket of ${part.ciphertext.length} bytes is larger than a bucket can hold`)
    this.bytes += part.ciphertext.length
    if (this.bytes > MAX_SNAPSHOT_SET_BYTES) throw protocolError("a snapshot set is larger than a vault can hold")
    const first = this.first
    if (first !== undefined && !sameVector(first.vector, part.vector)) {
      throw protocolError("the parts of a snapshot set name different version vectors")
    }
  }

  /** The vector may claim only entries the sender holds, of devices of the account, within any revocation's cutoff. */
  private checkClaims(part: SnapshotMessage): void {
    for (const [deviceId, seq] of Object.entries(part.vector)) {
      if (seq > seqOf(this.senderVector, deviceId)) throw protocolError(`a snapshot claims entries of device ${deviceId} its sender does not hold`)
      const device = this.deps.lookup(deviceId)
      if (device === undefined) throw protocolError(`a snapshot claims entries of device ${deviceId}, which is not in the trust list`)
      if (device.revokedAt !== undefined && seq > (device.lastSeq ?? 0)) throw protocolError(`a snapshot claims entries of revoked device ${deviceId} past its cutoff`)
    }
  }
}

/** Whether two vectors name the same seq for every device (devices at 0 left out). */
export function sameVector(a: VersionVector, b: VersionVector): boolean {
  const keys = Object.keys(a).filter((k) => a[k] > 0)
  return keys.length === Object.keys(b).filter((k) => b[k] > 0).length && keys.every((k) => a[k] === seqOf(b, k))
}
