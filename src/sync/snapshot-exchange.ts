import type { Logger } from "../log.js"
import type { VersionVector } from "../store/vault-store.js"
import type { EntryLog, SnapshotShelf, TrustBook } from "./ports.js"
import { protocolError } from "./byte-reader.js"
import { sameVector, SnapshotIntake, type SnapshotSet } from "./snapshot-intake.js"
import { snapshotSigningBytes, type SnapshotMessage } from "./snapshot-part.js"
import { dominates, missingCount, seqOf } from "./version-vector.js"

/** A peer missing at least this many entries is far behind: it gets the snapshot first, then the log tail... */
export const SNAPSHOT_MIN_MISSING_ENTRIES = 1_000
/**
 * ...as is one missing fewer that weigh at least this much: an import writes one
 * entry per bucket and batch (≈ 100 records each), so 800 entries can hold 100k
 * records, whose replay costs far more than opening the snapshot cold.
 */
export const SNAPSHOT_MIN_MISSING_BYTES = 512 * 1024

/**
 * What snapshot-first sync needs of the daemon. Without it a session neither
 * serves snapshots nor accepts them (a `snapshot` message is then a protocol error).
 */
export interface SnapshotPort {
  /** Signs each message with this device's Ed25519 key, RFC 8032 (a locked device can: its device key is not the vault key). */
  signAll(messages: readonly Uint8Array[]): Uint8Array[]
  /** The vault-key epochs the stored keyset names (public ids, no key). */
  knownEpochs(): ReadonlySet<number>
}

export interface SnapshotExchangeDeps {
  store: SnapshotShelf & Pick<EntryLog, "versionVector" | "entriesAfter"> & Pick<TrustBook, "getTrust">
  logger: Logger
  accountId: Uint8Array
  remoteDeviceId: string
  port: SnapshotPort | undefined
  send: (message: SnapshotMessage) => boolean
}

/**
 * The snapshot half of a session (DESIGN §8). Serving: a peer far behind, or
 * one lacking entries below this device's floor, gets the stored snapshot set
 * (each bucket signed) before the entries after it. Receiving: parts are
 * verified by a {@link SnapshotIntake}; a complete set is stored only if this
 * device holds every entry after its vector (its floor is at or below it) and
 * the snapshot held is not newer, so a snapshot never overwrites newer state.
 */
export class SnapshotExchange {
  private intake: SnapshotIntake | undefined

  constructor(
    private readonly deps: SnapshotExchangeDeps,
    private readonly minMissing = SNAPSHOT_MIN_MISSING_ENTRIES,
    private readonly minMissingBytes = SNAPSHOT_MIN_MISSING_BYTES,
  ) {}

  /** Sends the snapshot set if the peer should start from it; returns the vector it covers, if sent. */
  offer(peerVector: VersionVector, peerFloor: VersionVector): VersionVector | undefined {
    const set = this.deps.port === undefined ? undefined : this.setFor(peerVector, peerFloor)
    if (set === undefined) return undefined
    const parts = set.rows.map((row) => ({ bucketCount: set.rows.length, bucket: row.bucket, epoch: row.epoch, vector: set.vector, ciphertext: row.ciphertext }))
    const signatures = this.deps.port!.signAll(parts.map((part) => snapshotSigningBytes(this.deps.accountId, part)))
    for (let i = 0; i < parts.length; i++) {
      if (!this.deps.send({ type: "snapshot", ...parts[i], signature: signatures[i] })) return undefined
    }
    this.deps.logger.info("served a snapshot to a far-behind device", { deviceId: this.deps.remoteDeviceId, buckets: set.rows.length })
    return set.vector
  }

  /**
   * Takes one part; returns the vector of a set it stored. Throws
   * PROTOCOL_ERROR or BAD_SIGNATURE for anything refused (the link closes;
   * nothing of the set was stored).
   */
  receive(part: SnapshotMessage, senderVector: VersionVector): VersionVector | undefined {
    const port = this.deps.port
    if (port === undefined) throw protocolError("a snapshot, which this device does not take")
    const { store, accountId, remoteDeviceId } = this.deps
    this.intake ??= new SnapshotIntake(
      { accountId, knownEpochs: port.knownEpochs(), lookup: (deviceId) => store.getTrust(deviceId) },
      remoteDeviceId, senderVector,
    )
    const set = this.intake.receive(part)
    if (set === undefined) return undefined
    this.intake = undefined
    return this.adopt(set) ? set.vector : undefined
  }

  private adopt(set: SnapshotSet): boolean {
    const { store, logger, remoteDeviceId } = this.deps
    const held = store.snapshots(0, 1) // its vector: one row, not the whole set
    if (!dominates(set.vector, store.floorVector()) || (held.length > 0 && dominates(held[0].vector, set.vector))) {
      logger.info("kept the snapshot held: a peer's is not newer, or entries after it are missing here", { deviceId: remoteDeviceId })
      return false
    }
    store.adoptSnapshot(set.rows, set.vector)
    logger.info("took a snapshot from a peer", { deviceId: remoteDeviceId, buckets: set.rows.length })
    return true
  }

  /** The stored set, if whole and worth sending to this peer. */
  private setFor(peerVector: VersionVector, peerFloor: VersionVector): SnapshotSet | undefined {
    const { store } = this.deps
    const floor = store.floorVector()
    const belowFloor = Object.entries(floor).some(([deviceId, seq]) => seqOf(peerVector, deviceId) < seq)
    if (!belowFloor && !this.farBehind(peerVector)) return undefined
    const rows = store.snapshots()
    // The set holds the buckets its vault had (a record names its bucket: any numbers), one vector for all.
    if (rows.length === 0 || rows.some((row) => !sameVector(row.vector, rows[0].vector))) return undefined
    const vector = rows[0].vector
    // The peer must hold every entry after the snapshot (its floor), and we every entry we then send (ours).
    if (!dominates(vector, floor) || !dominates(vector, peerFloor) || dominates(peerVector, vector)) return undefined
    return { vector, rows }
  }

  /** Whether the peer lacks enough entries, or heavy enough ones, to start from the snapshot (read once per hello: < minMissing entries). */
  private farBehind(peerVector: VersionVector): boolean {
    const { store } = this.deps
    if (missingCount(peerVector, store.versionVector()) >= this.minMissing) return true
    let bytes = 0
    for (const entry of store.entriesAfter(peerVector, this.minMissing)) bytes += entry.ciphertext.length
    return bytes >= this.minMissingBytes
  }
}
