import { performance } from "node:perf_hooks"
import { setImmediate as nextTurn } from "node:timers/promises"
import { concatBytes, open, seal, u64be, utf8, wipe } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import type { VaultDoc } from "../merge/index.js"
import type { SnapshotRow, VersionVector } from "../store/index.js"
import type { VaultKeys } from "../account/index.js"
import type { VaultLog } from "./ports.js"

const SNAPSHOT_AD = "lanvault snapshot v1"
/** Buckets are saved and sealed for about this long per turn of the event loop while a snapshot is written in slices... */
const SLICE_MS = 15
/** ...and at most this many (a loaded bucket's save takes a few ms). */
const SLICE_BUCKETS = 16
/** Snapshot rows read from the store at a time (≈ 60 KiB each at 128 records a bucket). */
const READ_PAGE_ROWS = 16

/** What reading and writing the snapshot set needs. */
export interface SnapshotSetDeps {
  store: Pick<VaultLog, "snapshots" | "putSnapshot" | "clearSnapshots" | "transaction" | "versionVector">
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
  const first = deps.store.snapshots(0, 1)[0]
  if (first === undefined) return { vector: {}, unindexed: 0 }
  const { vector } = first
  let unindexed = 0
  for (const row of storedRows(deps)) {
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
  for (const row of storedRows(deps)) {
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
  replaceSet(deps, doc.bucketNumbers().map((bucket) => sealBucket(deps, doc, bucket, epoch, vaultKey, vector)))
}

/**
 * `writeSnapshots` in slices of about SLICE_MS, the event loop free between
 * them (a lock after a big import saves hundreds of buckets: seconds of work).
 * The doc may change meanwhile (it holds only durable changes between turns):
 * a bucket saved later may hold changes past `vector`, which the next unlock
 * replays again, harmlessly (Automerge skips changes it holds). Nothing is
 * written, and false returned, if `live()` turns false (the vault closed or
 * was rebuilt), or if meanwhile another set was stored (a peer's: snapshot-first
 * sync) or the log was wiped (a reset or a restore in place).
 */
export async function writeSnapshotsInSlices(deps: SnapshotSetDeps, keys: VaultKeys, doc: VaultDoc, vector: VersionVector, live: () => boolean): Promise<boolean> {
  if (!live()) return false
  const heldBefore = storedSnapshotVector(deps)
  const epoch = keys.currentEpoch
  // Its own copy: the vault's keys are wiped when it closes, perhaps between two slices.
  const vaultKey = keys.keys.get(epoch)!.slice()
  try {
    const rows: SnapshotRow[] = []
    let sliceStart = performance.now()
    for (const bucket of doc.bucketNumbers()) {
      if (rows.length % SLICE_BUCKETS === SLICE_BUCKETS - 1 || performance.now() - sliceStart >= SLICE_MS) {
        await nextTurn()
        if (!live()) return false
        sliceStart = performance.now()
      }
      rows.push(sealBucket(deps, doc, bucket, epoch, vaultKey, vector))
    }
    if (!live() || storedSnapshotVector(deps) !== heldBefore || !covers(deps.store.versionVector(), vector)) return false
    replaceSet(deps, rows)
    return true
  } finally {
    wipe(vaultKey)
  }
}

function sealBucket(deps: SnapshotSetDeps, doc: VaultDoc, bucket: number, epoch: number, vaultKey: Uint8Array, vector: VersionVector): SnapshotRow {
  return { bucket, epoch, vector, ciphertext: seal(vaultKey, doc.saveBucket(bucket), snapshotAd(deps.accountId, bucket, epoch, vector)) }
}

/** One set, one vector: the rows replace the set held in one transaction, so no row of an older set stays behind. */
function replaceSet(deps: SnapshotSetDeps, rows: readonly SnapshotRow[]): void {
  deps.store.transaction(() => {
    deps.store.clearSnapshots()
    for (const row of rows) deps.store.putSnapshot(row)
  })
}

/** Whether the log holds every device at least as far as `vector` says (a wipe since takes that back). */
function covers(heads: VersionVector, vector: VersionVector): boolean {
  return Object.entries(vector).every(([deviceId, seq]) => (heads[deviceId] ?? 0) >= seq)
}

/** The vector the stored snapshot set covers, as text ("" without one): tells whether a peer's set replaced it meanwhile. */
export function storedSnapshotVector(deps: SnapshotSetDeps): string {
  const first = deps.store.snapshots(0, 1)[0]
  return first === undefined ? "" : JSON.stringify(first.vector)
}

/** The stored set a page of rows at a time: a big vault's set is tens of MiB, never held whole. */
function* storedRows(deps: SnapshotSetDeps): Generator<SnapshotRow> {
  for (let page = deps.store.snapshots(0, READ_PAGE_ROWS); page.length > 0; page = deps.store.snapshots(page.at(-1)!.bucket + 1, READ_PAGE_ROWS)) yield* page
}

/**
 * What a snapshot may claim to cover: the store's vector, but short of any
 * entry this device could not read yet, so the next unlock replays it (with
 * the key it may have by then) instead of skipping it for good.
 */
export function readableVector(store: Pick<VaultLog, "versionVector">, unreadable: ReadonlyArray<{ deviceId: string; seq: number }>): VersionVector {
  const vector = store.versionVector()
  for (const { deviceId, seq } of unreadable) {
    if (seq > 0 && vector[deviceId] !== undefined) vector[deviceId] = Math.min(vector[deviceId], seq - 1)
  }
  return vector
}

/** Associated data of a bucket's snapshot: account, bucket, epoch and the vector it covers. */
function snapshotAd(accountId: Uint8Array, bucket: number, epoch: number, vector: VersionVector): Uint8Array {
  const canonical = JSON.stringify(Object.keys(vector).sort().map((k) => [k, vector[k]]))
  return concatBytes(utf8(SNAPSHOT_AD), accountId, u64be(bucket), u64be(epoch), utf8(canonical))
}
