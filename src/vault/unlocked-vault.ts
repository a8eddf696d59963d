import { setImmediate as yieldToLoop } from "node:timers/promises"
import { deriveTrustKey, TRUST_ROOT_EPOCH, wipe, type TrustKeyPair } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { bucketOf, UnreadableChangesError, VaultDoc } from "../merge/index.js"
import type { BucketChange, RecordInput } from "../merge/types.js"
import { sealEntry, type LogEntry, type VersionVector } from "../store/index.js"
import { missingCount } from "../sync/version-vector.js"
import type { VaultKeys } from "../account/index.js"
import { encodePayload } from "./change-payload.js"
import { BucketEviction } from "./bucket-eviction.js"
import { snapshotThresholds } from "./snapshot-policy.js"
import { loadSnapshots, mergeStoredSnapshot, readableVector, storedSnapshotVector, writeSnapshots, writeSnapshotsInSlices } from "./snapshot-set.js"
import { byBucket, openEntries, position, type UnreadableEntry } from "./entry-reader.js"
import type { VaultLog } from "./ports.js"

const REPLAY_PAGE_ENTRIES = 5_000
/** Entries decrypted per slice of a sliced unlock (≈ 0.1 ms each): a slice stays well under 100 ms. */
const REPLAY_SLICE_ENTRIES = 500
/** Entries held in memory while their epoch's key is awaited (see UnlockedVault.waitingForKey). */
const MAX_WAITING_FOR_KEY = 10_000

export interface Identity {
  deviceId: string
  signSecret: Uint8Array
}

export interface UnlockedVaultDeps {
  store: VaultLog
  logger: Logger
  identity: Identity
  accountId: Uint8Array
}

export type { UnreadableEntry }

/**
 * The vault while unlocked: the merged records (VaultDoc), the vault keys, and
 * the path from an edit to a sealed, signed, durable log entry. Lives only
 * between unlock and lock; `close()` wipes the keys.
 */
export class UnlockedVault {
  unreadable: UnreadableEntry[] = []
  /** Log entries read past the snapshot set at open (a device that just took a peer's set reads only its tail). */
  replayed = 0
  /**
   * Entries sealed under an epoch whose key this device does not hold yet (a re-key on another device whose keyset has
   * not arrived): read again when {@link adoptKeys} brings the key. Bounded; the rest wait for the next unlock.
   */
  private waitingForKey: LogEntry[] = []
  private entriesSinceSnapshot = 0
  private readonly eviction: BucketEviction
  /** Closed, or replaced by {@link reload}: a snapshot being written in slices is dropped. */
  private closed = false
  private writing: Promise<void> | undefined

  private constructor(
    private readonly deps: UnlockedVaultDeps,
    private readonly keys: VaultKeys,
    readonly doc: VaultDoc,
  ) {
    this.eviction = new BucketEviction({ doc })
  }

  /**
   * Takes the last snapshot set (buckets stay cold behind their summary index), then replays every entry after it,
   * loading only the buckets those touch. A set without sound indexes makes the next snapshot due, so the next
   * unlock is quick. `hashBuckets`: see VaultDoc's `bucketCount`.
   */
  static open(deps: UnlockedVaultDeps, keys: VaultKeys, hashBuckets: number): UnlockedVault {
    const { vault, covered } = UnlockedVault.fromSnapshots(deps, keys, hashBuckets)
    vault.catchUp({ ...covered })
    return vault
  }

  /**
   * `open` in bounded slices that leave the event loop free (the socket and peer
   * links are served meanwhile): the log past the snapshot is read a page per
   * slice and merged a bucket per slice; what arrived meanwhile (entries, or a
   * peer's snapshot set) is taken at the end, in the same turn that returns.
   */
  static async openInSlices(deps: UnlockedVaultDeps, keys: VaultKeys, hashBuckets: number, progress?: (done: number, total: number) => void): Promise<UnlockedVault> {
    const { vault, covered, snapshotVector } = UnlockedVault.fromSnapshots(deps, keys, hashBuckets)
    const cursor = { ...covered }
    const total = missingCount(covered, deps.store.versionVector())
    const changes: BucketChange[] = []
    for (let page; (page = vault.readPage(cursor, REPLAY_SLICE_ENTRIES)) !== undefined; await yieldToLoop()) {
      changes.push(...page)
      if (total > 0) progress?.(Math.min(vault.replayed, total - 1), total)
    }
    for (const bucketChanges of byBucket(changes)) {
      vault.merge(bucketChanges)
      await yieldToLoop()
    }
    if (storedSnapshotVector(deps) !== snapshotVector) vault.takeStoredSnapshot()
    vault.catchUp(cursor)
    if (total > 0) progress?.(total, total)
    return vault
  }

  private static fromSnapshots(deps: UnlockedVaultDeps, keys: VaultKeys, hashBuckets: number): { vault: UnlockedVault; covered: VersionVector; snapshotVector: string } {
    const snapshotVector = storedSnapshotVector(deps)
    let vault: UnlockedVault | undefined
    const newDoc = () => new VaultDoc({}, { actorId: deps.identity.deviceId, bucketCount: hashBuckets, onBucketLoad: () => vault?.eviction.loaded() })
    let doc = newDoc()
    let covered: VersionVector = {}
    let unindexed = 0
    try {
      ({ vector: covered, unindexed } = loadSnapshots(deps, keys, doc))
    } catch (error) {
      // A bad snapshot is only a shortcut lost: replay the whole log instead (not whole yet while a floor stands: see floorVector).
      const floor = Object.keys(deps.store.floorVector()).length > 0
      deps.logger[floor ? "error" : "warn"](`snapshot unreadable; replaying the whole log${floor ? ", still being filled in after a first sync: records may be missing until it is" : ""}`, errorFields(error))
      doc.clear()
      doc = newDoc()
      covered = {}
      unindexed = 1 // the next snapshot is due: the whole set is written again
    }
    vault = new UnlockedVault(deps, keys, doc)
    // Buckets without a summary index were read whole: the next snapshot, due at the next idle moment, writes their index.
    if (unindexed > 0) vault.entriesSinceSnapshot = snapshotThresholds(doc.bucketNumbers().length).due
    return { vault, covered, snapshotVector }
  }

  get entriesPending(): number {
    return this.entriesSinceSnapshot
  }

  /** Buckets the vault holds, loaded or cold (each one row of a snapshot). */
  get bucketsHeld(): number {
    return this.doc.bucketNumbers().length
  }

  /** The bucket a record id lives in. */
  bucketOf(id: string): number {
    return bucketOf(id, this.doc.hashBuckets)
  }

  /**
   * Creates records under fresh `ids` chosen by the caller (an import groups them
   * by bucket, so a group is one Automerge change); the doc still checks each is unused.
   */
  createWithIds(ids: readonly string[], inputs: RecordInput[]): BucketChange[] {
    return this.doc.createMany(inputs, { fillNew: true, ids }).changes
  }

  /** Seals, signs and appends local changes in one transaction; the doc already holds them. */
  commit(changes: BucketChange[]): LogEntry[] {
    if (changes.length === 0) return []
    const { store, identity, accountId } = this.deps
    const epoch = this.keys.currentEpoch
    const vaultKey = this.keys.keys.get(epoch)!
    const entries: LogEntry[] = []
    store.transaction(() => {
      let seq = store.head(identity.deviceId)
      for (const change of changes) {
        seq += 1
        const entry = sealEntry({
          accountId, deviceId: identity.deviceId, seq, epoch, vaultKey, signSecret: identity.signSecret, payload: encodePayload(change),
        })
        store.appendOwn(entry)
        entries.push(entry)
      }
    })
    this.entriesSinceSnapshot += changes.length
    return entries
  }

  /**
   * Adds vault keys of new epochs (a re-key, here or on a peer) and takes the
   * keyset's current epoch (epoch ids are random: the keyset says which is current).
   */
  adoptKeys(keys: VaultKeys): string[] {
    for (const [epoch, key] of keys.keys) if (!this.keys.keys.has(epoch)) this.keys.keys.set(epoch, key)
    this.keys.currentEpoch = keys.currentEpoch
    const ready = this.waitingForKey.filter((entry) => this.keys.keys.has(entry.epoch))
    if (ready.length === 0) return []
    this.waitingForKey = this.waitingForKey.filter((entry) => !this.keys.keys.has(entry.epoch))
    const readied = new Set(ready.map(position))
    this.unreadable = this.unreadable.filter((u) => !readied.has(position(u)))
    this.deps.logger.info("read entries whose vault key just arrived", { count: ready.length })
    return this.merge(this.openAll(ready))
  }

  /**
   * The account's trust key pair, derived from the root epoch's vault key
   * (deriveTrustKey): only an unlocked vault has it. The caller wipes the secret.
   */
  trustKey(): TrustKeyPair {
    const root = this.keys.keys.get(TRUST_ROOT_EPOCH)
    if (root === undefined) throw new LanvaultError("INTERNAL", "the vault holds no key of the root epoch")
    return deriveTrustKey(root)
  }

  /** A copy of the keys (for re-wrapping under a new password or account key). */
  copyKeys(): VaultKeys {
    return { currentEpoch: this.keys.currentEpoch, keys: new Map([...this.keys.keys].map(([e, k]) => [e, k.slice()])) }
  }

  /** Decrypts and merges entries already verified and stored (from peers or folders). */
  applyEntries(entries: LogEntry[]): string[] {
    const changes = this.openAll(entries)
    this.entriesSinceSnapshot += entries.length
    return this.merge(changes)
  }

  /**
   * Merges the stored snapshot set into the open records (a peer's set was just adopted: snapshot-first
   * sync); returns the ids it holds. What this vault merged already stays: Automerge merges, never overwrites.
   */
  mergeStoredSnapshot(): string[] {
    return mergeStoredSnapshot(this.deps, this.keys, this.doc)
  }

  /** Writes an encrypted snapshot of every bucket, with its summary index, and the version vector it covers. */
  snapshot(): void {
    writeSnapshots(this.deps, this.keys, this.doc, readableVector(this.deps.store, this.unreadable))
    this.entriesSinceSnapshot = 0
  }

  /** {@link snapshot} in slices (writeSnapshotsInSlices); a call while one is written gets that one; entries merged meanwhile stay counted. */
  snapshotInSlices(): Promise<void> {
    const pending = this.entriesSinceSnapshot
    this.writing ??= writeSnapshotsInSlices(this.deps, this.keys, this.doc, readableVector(this.deps.store, this.unreadable), () => !this.closed)
      .then((written) => { if (written) this.entriesSinceSnapshot = Math.max(0, this.entriesSinceSnapshot - pending) })
      .finally(() => (this.writing = undefined))
    return this.writing
  }

  /** A fresh instance over what is durable, with the same keys (after a failed write). */
  reload(): UnlockedVault {
    this.closed = true
    this.eviction.stop()
    this.doc.clear()
    return UnlockedVault.open(this.deps, this.keys, this.doc.hashBuckets)
  }

  close(): void {
    this.closed = true
    this.eviction.stop()
    this.doc.clear()
    wipe(...this.keys.keys.values())
    this.keys.keys.clear()
  }

  /**
   * Decrypts every entry after `cursor` page by page, then merges them in one
   * call: Automerge builds an empty bucket from all its changes at once, several
   * times faster than page by page. Moves `cursor` past them.
   */
  private catchUp(cursor: VersionVector): void {
    const changes: BucketChange[] = []
    for (let page; (page = this.readPage(cursor, REPLAY_PAGE_ENTRIES)) !== undefined;) changes.push(...page)
    this.merge(changes)
  }

  /** The changes of the next page of entries after `cursor` (moved past them); undefined when none is left. */
  private readPage(cursor: VersionVector, limit: number): BucketChange[] | undefined {
    const page = this.deps.store.entriesAfter(cursor, limit)
    if (page.length === 0) return undefined
    for (const entry of page) cursor[entry.deviceId] = Math.max(cursor[entry.deviceId] ?? 0, entry.seq)
    this.entriesSinceSnapshot += page.length
    this.replayed += page.length
    return this.openAll(page)
  }

  /** A peer's snapshot set stored while this vault was opening: merged now, or logged if it cannot be read. */
  private takeStoredSnapshot(): void {
    try {
      this.mergeStoredSnapshot()
    } catch (error) {
      this.deps.logger.error("a snapshot set stored while unlocking could not be merged; the log still holds it", errorFields(error))
    }
  }

  /** Merges changes; unreadable ones are counted and skipped, never fatal. */
  private merge(changes: BucketChange[]): string[] {
    try {
      return this.doc.applyChanges(changes).changedIds
    } catch (error) {
      if (!(error instanceof UnreadableChangesError)) throw error
      for (let i = 0; i < error.unreadable; i++) this.unreadable.push({ deviceId: "?", seq: 0, code: error.code })
      this.deps.logger.error("log entries could not be merged; skipped, kept on disk", { count: error.unreadable })
      return error.changedIds
    }
  }

  /** Opens stored entries (see openEntries); those it cannot read are noted in `unreadable`, those awaiting a key in `waitingForKey`. */
  private openAll(entries: LogEntry[]): BucketChange[] {
    return openEntries(entries, { keys: this.keys, accountId: this.deps.accountId, logger: this.deps.logger }, this.unreadable, (entry) => {
      if (this.waitingForKey.length < MAX_WAITING_FOR_KEY) this.waitingForKey.push(entry)
    })
  }
}

