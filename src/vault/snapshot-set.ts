import { concatBytes, open, seal, u64be, utf8 } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import type { VaultDoc } from "../merge/index.js"
import type { VersionVector } from "../store/index.js"
import type { VaultKeys } from "../account/index.js"
import type { VaultLog } from "./ports.js"

const SNAPSHOT_AD = "lanvault snapshot v1"

/** What reading and writing the snapshot set needs. */
export interface SnapshotSetDeps {
  store: Pick<VaultLog, "snapshots" | "putSnapshot" | "clearSnapshots" | "transaction">
  accountId: Uint8Array
}

/** What loading the snapshot set gave: the vector it covers, and how many buckets had no sound summary index (and were read). */
export interface LoadedSnapshots {
  vector: VersionVector
  unindexed: number
}

/**
 * Takes every bucket's snapshot into `doc` (each kept cold behind its summary
 * index when it has one: see VaultDoc.loadBucket). The set holds the buckets
 * the vault had when it was written (any numbers: a record's id names its
 * bucket); one with mixed vectors or an epoch without a key is CORRUPT_DATA,
 * as is a row that fails to open.
 */
export function loadSnapshots(deps: SnapshotSetDeps, keys: VaultKeys, doc: VaultDoc): LoadedSnapshots {
  const rows = deps.store.snapshots()
  if (rows.length === 0) return { vector: {}, unindexed: 0 }
  const vector = rows[0].vector
  let unindexed = 0
  for (const row of rows) {
    const key = keys.keys.get(row.epoch)
    if (!key || JSON.stringify(row.vector) !== JSON.stringify(vector)) throw new LanvaultError("CORRUPT_DATA", "inconsistent snapshot set")
    if (!doc.takeBucket(row.bucket, open(key, row.ciphertext, snapshotAd(deps.accountId, row.bucket, row.epoch, row.vector))).indexed) unindexed += 1
  }
  return { vector, unindexed }
}

/**
 * Merges the stored snapshot set into an open doc (a peer's set was just adopted:
 * snapshot-first sync); returns the ids it holds. What the doc holds already
 * stays: Automerge merges, never overwrites.
 */
export function mergeStoredSnapshot(deps: SnapshotSetDeps, keys: VaultKeys, doc: VaultDoc): string[] {
  const ids: string[] = []
  for (const row of deps.store.snapshots()) {
    const key = keys.keys.get(row.epoch)
    if (key === undefined) continue
    ids.push(...doc.loadBucket(row.bucket, open(key, row.ciphertext, snapshotAd(deps.accountId, row.bucket, row.epoch, row.vector))))
  }
  return ids
}

/**
 * Writes an encrypted snapshot of every bucket the vault has, with its summary
 * index, covering `vector`, in place of the set held, in one transaction. Every
 * bucket is sealed again (each row binds the vector it covers); a bucket not
 * loaded is written from its snapshot as it is.
 */
export function writeSnapshots(deps: SnapshotSetDeps, keys: VaultKeys, doc: VaultDoc, vector: VersionVector): void {
  const epoch = keys.currentEpoch
  const vaultKey = keys.keys.get(epoch)!
  const rows = doc.bucketNumbers().map((bucket) => ({
    bucket, epoch, vector, ciphertext: seal(vaultKey, doc.saveBucket(bucket), snapshotAd(deps.accountId, bucket, epoch, vector)),
  }))
  deps.store.transaction(() => {
    deps.store.clearSnapshots() // one set, one vector: no row of an older set stays behind
    for (const row of rows) deps.store.putSnapshot(row)
  })
}

/** The vector the stored snapshot set covers, as text ("" without one): tells whether a peer's set replaced it meanwhile. */
export function storedSnapshotVector(deps: SnapshotSetDeps): string {
  const first = deps.store.snapshots()[0]
  return first === undefined ? "" : JSON.stringify(first.vector)
}

/** Associated data of a bucket's snapshot: account, bucket, epoch and the vector it covers. */
function snapshotAd(accountId: Uint8Array, bucket: number, epoch: number, vector: VersionVector): Uint8Array {
  const canonical = JSON.stringify(Object.keys(vector).sort().map((k) => [k, vector[k]]))
  return concatBytes(utf8(SNAPSHOT_AD), accountId, u64be(bucket), u64be(epoch), utf8(canonical))
}
