import { formatAccountKey, wipe, type TrustKeyPair } from "../crypto/index.js"
import { LockedError, NotFoundError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import type { EventParams } from "../api/protocol.js"
import type { HistoryEntry, ListFilter, RecordInput, RecordPage, RecordPatch, RecordSummary, VaultRecord } from "../merge/types.js"
import type { FilledSource } from "../merge/bucket-fill.js"
import type { ListScope } from "../merge/list-view.js"
import type { LogEntry } from "../store/index.js"
import { checkNewPassword, META, ownDeviceName, resetAccountInStore, type AccountIds, type NewAccount, type NewPasswordOptions, type VaultKeys } from "../account/index.js"
import { paced } from "../progress-pace.js"
import type { BulkCreateDeps } from "./bulk-plan.js"
import { holdAutomerge, loadWhileUnwrapping, releaseAfterLock, releaseHeapSoon, withRoomyYoungGeneration } from "./heap-release.js"
import { VaultCloser } from "./vault-closer.js"
import { IdleLock } from "./idle-lock.js"
import { readIdentity } from "./key-helpers.js"
import { KeyManager } from "./key-manager.js"
import type { VaultServiceStore } from "./ports.js"
import { PendingWork } from "./pending-work.js"
import { SnapshotPolicy } from "./snapshot-policy.js"
import { VaultChanges } from "./vault-changes.js"
import type { Identity, UnlockedVault } from "./unlocked-vault.js"

export interface VaultServiceDeps {
  store: VaultServiceStore
  /** The account's id, read once at start (it survives a reset). */
  account: AccountIds
  home: string
  logger: Logger
  publish: (event: EventParams) => void
  /** A peer's keyset arrived (a password change or reset elsewhere shows there first). */
  onKeysetArrived?: () => void
}

export interface VaultServiceOptions {
  /** Idle minutes before the vault locks itself; 0 = never. */
  autoLockMinutes?: number
  now?: () => number
}

type LockReason = "request" | "idle" | "shutdown" | "reset"

/**
 * The vault's lock state and every operation on records: unlock, lock (snapshot, wipe keys), edits that
 * are durable log entries before they are acknowledged, merging entries from peers, password change,
 * revoke's re-key and reset. The records' changes both ways (the group commit of edits, the merge of peers'
 * entries) are {@link changes}: the socket's handlers and sync call it directly; the record methods hand over to it.
 */
export class VaultService {
  private open: UnlockedVault | undefined
  /** An unlock merging the log in slices (UnlockedVault.openInSlices); a second unlock meanwhile waits for it. */
  private opening: Promise<number> | undefined
  readonly unlocks = new PendingWork() // key derivation and opening: sync checks a new device's backfill after them
  /** Counts locks: an unlock still opening when one comes is dropped. */
  private locks = 0
  /** Edits in, durable entries out to the sinks; peers' entries merged (see VaultChanges). */
  readonly changes: VaultChanges
  private readonly snapshots: SnapshotPolicy
  private readonly closer: VaultCloser
  private readonly idle: IdleLock
  readonly keys: KeyManager
  readonly accountId: string
  private knownDeviceId: string | undefined
  private readonly now: () => number

  constructor(private readonly deps: VaultServiceDeps, options: VaultServiceOptions = {}) {
    this.idle = new IdleLock({ onIdle: () => this.lock("idle") }, { minutes: options.autoLockMinutes })
    this.now = options.now ?? Date.now
    this.accountId = deps.account.accountId
    this.keys = new KeyManager({ store: deps.store, home: deps.home, logger: deps.logger, accountId: deps.account.accountIdBytes }, this.now)
    // A snapshot follows big work (a replay, a large sync, an import): what that work used is garbage now.
    this.snapshots = new SnapshotPolicy({ open: () => this.open, logger: deps.logger, now: this.now, written: () => releaseHeapSoon({ trimMalloc: true }) })
    this.closer = new VaultCloser({ logger: deps.logger })
    this.changes = new VaultChanges({
      open: () => this.open, logger: deps.logger, publish: deps.publish, snapshots: this.snapshots, reloadFromDisk: () => this.reloadFromDisk(),
    })
  }

  get locked(): boolean {
    return this.open === undefined
  }

  get recordCount(): number | undefined {
    return this.open?.doc.size
  }

  get unreadableEntries(): number | undefined {
    return this.open?.unreadable.length
  }

  get home(): string {
    return this.deps.home
  }

  get deviceName(): string {
    return ownDeviceName(this.deps.store)
  }

  identity(): Identity & { signPublic: Uint8Array } {
    return readIdentity(this.deps.store, this.deps.home)
  }

  /** This device's id, read once (a reset keeps it; `status` asks on every call, and reading the identity opens the device secrets). */
  get deviceId(): string {
    if (this.knownDeviceId === undefined) {
      const identity = this.identity()
      identity.signSecret.fill(0)
      this.knownDeviceId = identity.deviceId
    }
    return this.knownDeviceId
  }

  /**
   * Unlocks with the account password (the account key is on this device), checked every time, also when unlocked
   * or unlocking (apps re-check it before showing a secret); every wrong one counts toward the throttle.
   */
  unlock(password: string): Promise<number> {
    return this.unlocks.track(loadWhileUnwrapping(this.keys.unlock(password), (keys, opener) => this.openWith(keys, opener)))
  }

  /** Quick unlock: a remembered password key instead of the password (see QuickUnlock). */
  unlockWithPasswordKey(passwordKey: Uint8Array): Promise<number> {
    return this.unlocks.track(loadWhileUnwrapping(this.keys.unlockWithPasswordKey(passwordKey), (keys, opener) => this.openWith(keys, opener)))
  }

  /** Locks at once; the vault's last snapshot is written in slices, then it is closed (VaultCloser); the next unlock waits for that. */
  lock(reason: LockReason): void {
    this.locks += 1
    this.changes.commit() // edits that arrived before the lock are committed (or refused) first
    const open = this.open
    if (!open && this.opening) this.keys.forget() // the unlock under way is dropped (openInSlices)
    this.closer.close(open, reason === "shutdown" ? "now" : reason === "reset" ? "drop" : "slices")
    if (!open) return
    this.open = undefined
    this.keys.forget()
    this.idle.clear()
    this.snapshots.cancel()
    this.deps.logger.info("vault locked", { reason })
    this.deps.publish({ type: "locked", reason })
  }

  /** Resolves once the last lock's snapshot is written and its vault closed (a restore waits for it before writing the store). */
  settled(): Promise<void> {
    return this.closer.settled()
  }

  /** Called on every API request: restarts the idle auto-lock timer and holds back a due snapshot. */
  touch(): void {
    this.snapshots.noteActivity()
    if (this.open) this.idle.restart()
  }

  /** Idle minutes before the vault locks itself; 0 = never. */
  get autoLockMinutes(): number {
    return this.idle.minutes
  }

  /** Changes the idle time (INVALID_PARAMS outside 0…a week); an unlocked vault counts it from now. */
  setAutoLockMinutes(minutes: number): void {
    this.idle.set(minutes, this.open !== undefined)
  }

  list(filter: ListFilter): RecordSummary[] {
    return [...this.unlocked().doc.list(filter)]
  }

  /** `records.list`: the doc's shared frozen list (its JSON is cached by identity), or one page of it (VaultDoc.page). */
  listed(filter: ListFilter, scope: ListScope, page?: { limit: number; cursor?: string }): readonly RecordSummary[] | RecordPage {
    const { doc } = this.unlocked()
    return page === undefined ? doc.list(filter, scope) : doc.page(filter, page.limit, page.cursor, scope)
  }

  get(id: string): VaultRecord {
    const record = this.unlocked().doc.get(id)
    if (!record) throw new NotFoundError(`record ${id}`)
    return record
  }

  history(id: string): HistoryEntry[] {
    this.get(id)
    return this.unlocked().doc.history(id)
  }

  /** Creates a record once durable (VaultChanges.create). */
  create = (input: RecordInput): Promise<string> => this.changes.create(input)

  /** Creates records (an import) in batches that leave the event loop free: `inputs`, consumed, or written on an import's worker (bulk-fill.ts); then a snapshot is due. */
  createMany(inputs: RecordInput[] | FilledSource, progress?: (done: number, total: number) => void): Promise<string[]> {
    const deps: BulkCreateDeps = { open: () => this.unlocked(), persist: (changes, changed) => this.changes.persist(changes, changed) }
    // bulk-fill.ts loads Automerge (it writes buckets): with the first import, not at start (a locked daemon has none).
    const work = async () => (await import("./bulk-fill.js")).createInBulk(deps, inputs, progress)
    return withRoomyYoungGeneration(work).finally(() => this.snapshots.afterBulk())
  }

  /** Edits a record once durable (VaultChanges.update). */
  update = (id: string, patch: RecordPatch): Promise<VaultRecord> => this.changes.update(id, patch)

  /** Trashes or deletes a record once durable (VaultChanges.remove). */
  remove = (id: string, permanent: boolean): Promise<void> => this.changes.remove(id, permanent)

  /** Merges entries that peers sent and the store accepted (VaultChanges.applyRemote). */
  applyRemote = (entries: LogEntry[]): void => this.changes.applyRemote(entries)

  /** Merges a peer's stored snapshot set (VaultChanges.applySnapshot). */
  applySnapshot = (): void => this.changes.applySnapshot()

  /** A peer's keyset or account key arrived: take any new vault-key epoch it opens. */
  refreshKeys(): void {
    this.deps.onKeysetArrived?.()
    const open = this.open
    if (!open) return
    const keys = this.keys.refresh()
    if (!keys) return
    this.changes.announceRemote(open.adoptKeys(keys))
  }

  /** A new password and a new vault-key epoch: an unlocked vault writes its next changes under it. */
  async changePassword(oldPassword: string, newPassword: string, options?: NewPasswordOptions): Promise<number> {
    const { version, keys } = await this.keys.changePassword(oldPassword, newPassword, options)
    if (this.open) this.open.adoptKeys(keys)
    return version
  }

  /** The account's trust key pair (UnlockedVault.trustKey): LOCKED when locked. Callers wipe the secret. */
  trustKey = (): TrustKeyPair => this.unlocked().trustKey()

  /** Revoke's re-key: a new account key and vault-key epoch for all future changes. */
  rekey(alongside?: () => void): { accountKey: string; version: number; accountKeyBytes: Uint8Array } {
    const open = this.unlocked()
    const { accountKey, keys, version } = this.keys.rekey(open.copyKeys(), alongside)
    open.adoptKeys(keys)
    return { accountKey: formatAccountKey(accountKey), version, accountKeyBytes: accountKey }
  }

  /** Wipes this device's vault and starts the account over with a new key. */
  async reset(newPassword: string, options: NewPasswordOptions = {}): Promise<NewAccount> {
    checkNewPassword(newPassword, { ...options, context: [this.deviceName] })
    this.lock("reset")
    const result = await resetAccountInStore(this.deps.store, this.deps.home, newPassword, options)
    this.deps.logger.warn("account reset: the vault was wiped and a new account key made")
    return result
  }

  stop(): void {
    this.lock("shutdown")
  }

  /** Opens the vault with checked keys; if it is open (or opening) already, those keys are not needed and are wiped. */
  private openWith(keys: VaultKeys, opener: typeof UnlockedVault): Promise<number> {
    if (this.open || this.opening) {
      wipe(...keys.keys.values())
      return this.opening ?? Promise.resolve(this.open!.doc.size)
    }
    // A vault still closing writes its last snapshot first: this unlock reads it.
    const locks = this.locks
    this.opening = this.closer.settled().then(() => this.openInSlices(keys, opener, locks)).finally(() => (this.opening = undefined))
    return this.opening
  }

  /** Opens the vault in slices; dropped (LOCKED) if a lock comes after `locks` were counted. */
  private async openInSlices(keys: VaultKeys, opener: typeof UnlockedVault, locks: number): Promise<number> {
    const bucketCount = Number(this.deps.store.getMeta(META.bucketCount) ?? 64)
    const started = this.now()
    holdAutomerge()
    try {
      const opened = await opener.openInSlices(
        { store: this.deps.store, logger: this.deps.logger, identity: this.identity(), accountId: this.deps.account.accountIdBytes },
        keys, bucketCount, paced((done, total) => this.deps.publish({ type: "work.progress", work: "unlock", done, total })),
      )
      if (locks !== this.locks) {
        opened.close()
        throw new LockedError()
      }
      this.open = opened
    } catch (error) {
      releaseAfterLock()
      throw error
    }
    const loadMs = this.now() - started
    this.snapshots.afterUnlock(this.open.replayed, loadMs)
    this.deps.logger.info("vault unlocked", { records: this.open.doc.size, loadMs, unreadable: this.open.unreadable.length, loadedBuckets: this.open.doc.loadedBuckets, replayed: this.open.replayed })
    this.touch()
    this.deps.publish({ type: "unlocked", records: this.open.doc.size })
    return this.open.doc.size
  }

  private unlocked(): UnlockedVault {
    if (!this.open) throw new LockedError()
    return this.open
  }

  private reloadFromDisk(): void {
    if (!this.open) return
    try {
      this.open = this.open.reload()
    } catch (error) {
      this.deps.logger.error("the vault could not be reloaded; locking it", errorFields(error))
      this.lock("request")
    }
  }
}
