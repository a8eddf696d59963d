import type { LogEntry } from "./log-entry.js"

/** deviceId → highest contiguous seq held (a device not named holds 0). */
export type VersionVector = Record<string, number>

/** A device of this account as the trust list knows it. */
export interface TrustEntry {
  /** 32 lower-case hex characters. */
  deviceId: string
  /** What the person calls it ("laptop"). */
  name: string
  /** Ed25519 public key: checks the device's log entries (32 bytes). */
  signPublic: Uint8Array
  /** X25519 public key: its Noise static key (32 bytes). */
  dhPublic: Uint8Array
  /** ms since the epoch. */
  addedAt: number
  /** ms since the epoch; set once, never cleared. */
  revokedAt?: number
  /** ms since the epoch of the last authenticated contact. */
  lastSeenAt?: number
  /** The account trust key's signature of this device's addition (trust-proof.ts); a peer's addition without one is ignored. */
  addSig?: Uint8Array
  /** The trust key's signature of the revocation (revokedAt and lastSeq). */
  revokeSig?: Uint8Array
  /** With a revocation: the device's last seq accepted; its entries beyond it are refused from anyone. */
  lastSeq?: number
  /** ms since the epoch of the rename that gave `name` (absent: the name given at pairing); the newest rename wins. */
  renamedAt?: number
  /** With renamedAt: the trust key's signature of the rename (store/trust-proof.ts renameStatement); peers adopt only signed renames. */
  renameSig?: Uint8Array
}

/** An encrypted Automerge `save()` of one bucket and the version vector it covers. */
export interface SnapshotRow {
  /** Bucket number, 0 or more. */
  bucket: number
  /** Vault-key epoch that sealed `ciphertext`. */
  epoch: number
  vector: VersionVector
  ciphertext: Uint8Array
}

/** Every epoch's vault key, wrapped; the higher rank (version, then digest) wins everywhere. */
export interface KeysetRow {
  version: number
  blob: Uint8Array
}

/** This device's own secret keys (the store file is mode 0600). */
export interface DeviceIdentity {
  deviceId: string
  /** Ed25519 secret key, 32 bytes. */
  signSecret: Uint8Array
  /** X25519 secret key, 32 bytes. */
  dhSecret: Uint8Array
}

/** How {@link VaultStore.insertEntries} commits. */
export interface InsertOptions {
  /**
   * false: the commit does not wait for the disk (SQLite: synchronous=NORMAL for this
   * transaction). For copies of other devices' entries only, which their authors hold
   * durably: a crash of the process keeps the batch, a power loss may drop it whole
   * (never part of it) and the peer sends it again, since the version vector then
   * lacks it. Any later commit that waits for the disk makes it durable too (the WAL
   * is one file, synced whole), so nothing durable ever depends on a lost entry. Default true.
   */
  waitForDisk?: boolean
}

/** What {@link VaultStore.insertEntries} stored. */
export interface InsertResult {
  /** Newly stored entries that continued their logs, ordered by device then seq (already-held duplicates left out). */
  inserted: LogEntry[]
  /** Entries stored into holes below a floor (snapshot-first sync backfill): their content was in the snapshot already. */
  filled: number
}

/**
 * The storage port: everything a device keeps on disk. Calls are synchronous and
 * a write is durable when it returns. Stores check the shape and order of log
 * entries, never their signatures or ciphertexts (callers use verifyEntry and
 * openEntry). Every implementation passes `runStoreContractTests`.
 */
export interface VaultStore {
  /** Releases the store; idempotent. No call may follow. */
  close(): void

  getMeta(key: string): string | undefined
  setMeta(key: string, value: string): void
  deleteMeta(key: string): void

  /**
   * Appends one of this device's own entries. Its seq must be exactly
   * `head(deviceId) + 1`, else LanvaultError SEQUENCE_GAP; CorruptDataError if malformed.
   */
  appendOwn(entry: LogEntry): void
  /**
   * Stores entries from peers in one transaction (any order; sorted by device then
   * seq first). Each must continue its device's log. An entry already held is skipped
   * if byte-identical, else CorruptDataError ("conflicting entry"); a gap is
   * SEQUENCE_GAP. On any error nothing of the batch is stored. See {@link InsertOptions}.
   */
  insertEntries(entries: readonly LogEntry[], options?: InsertOptions): InsertResult
  /**
   * Every held entry with seq > vector[device] (a device not named: 0), ordered by
   * device then seq, at most `limit`. Costs O(devices + entries returned).
   */
  entriesAfter(vector: VersionVector, limit?: number): LogEntry[]
  /** One device's entries with seq > afterSeq, ascending, at most `limit`. */
  entriesOf(deviceId: string, afterSeq: number, limit?: number): LogEntry[]
  /** Highest seq held for a device; 0 if none. */
  head(deviceId: string): number
  /** Heads of every device with at least one entry. */
  versionVector(): VersionVector
  countEntries(): number

  /**
   * Per device, the seq up to which entries may be absent because a peer's
   * snapshot covered them (snapshot-first sync, DESIGN §8); a device not named
   * has its whole log held.
   */
  floorVector(): VersionVector
  /**
   * Takes a verified snapshot set from a peer in one transaction: every snapshot
   * row replaced by `rows` (which must all cover `vector`), each device's head
   * raised to `vector` where it is lower, and that seq recorded as its floor.
   * Entries at or below a floor that arrive later fill the holes (counted as
   * `filled`, not `inserted`); once none is left the floor is dropped.
   */
  adoptSnapshot(rows: readonly SnapshotRow[], vector: VersionVector): void

  /** Stores a bucket's snapshot, replacing that bucket's previous one. */
  putSnapshot(row: SnapshotRow): void
  /**
   * The snapshots of buckets from `fromBucket` on (default: all), ordered by bucket, at most `limit`
   * (a set of a big vault is tens of MiB: read it a page at a time, or one row for its vector).
   */
  snapshots(fromBucket?: number, limit?: number): SnapshotRow[]
  clearSnapshots(): void

  getKeyset(): KeysetRow | undefined
  /** Stores the keyset only if it ranks above the one held (keysetBeats); says whether it did. */
  putKeyset(version: number, blob: Uint8Array): boolean

  /** Every device, revoked ones included, ordered by addedAt then deviceId. */
  trustList(): TrustEntry[]
  getTrust(deviceId: string): TrustEntry | undefined
  /** Adds or replaces a device's entry. */
  putTrust(entry: TrustEntry): void
  /** Marks a device revoked at `at` (the first revocation time is kept); NotFoundError if unknown. */
  revokeTrust(deviceId: string, at: number): void
  /** Records contact with a device; only moves forward; ignores unknown devices. */
  touchTrust(deviceId: string, lastSeenAt: number): void

  getIdentity(): DeviceIdentity | undefined
  /** This device's id alone, without opening its secrets. */
  getDeviceId(): string | undefined
  setIdentity(identity: DeviceIdentity): void

  /**
   * Deletes entries, floors, snapshots, keyset and trust list in one transaction (a reset).
   * Meta and identity are left to the caller.
   */
  wipeAccountData(): void

  /**
   * Folds the write-ahead log into the database and truncates it (after a
   * re-key or a wipe, so replaced key material leaves the WAL); optional.
   */
  checkpoint?(): void

  /**
   * Runs `fn` atomically: if it throws, none of its writes stay. Nests. `fn` must
   * be synchronous (a returned promise is refused with a TypeError and rolled back).
   */
  transaction<T>(fn: () => T): T
}
