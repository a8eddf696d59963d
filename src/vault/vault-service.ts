import { formatAccountKey, wipe, type TrustKeyPair } from "../crypto/index.js"
import { LockedError, NotFoundError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import type { EventParams } from "../api/protocol.js"
import type { BucketChange, HistoryEntry, ListFilter, RecordInput, RecordPatch, RecordSummary, VaultRecord } from "../merge/types.js"
import type { LogEntry, VaultStore } from "../store/index.js"
import { accountIdBytes, checkNewPassword, META, ownDeviceName, resetAccountInStore, type NewAccount, type NewPasswordOptions, type VaultKeys } from "../account/index.js"
import { createInSlices } from "./bulk-create.js"
import { EditQueue, type ChangedRecord } from "./edit-queue.js"
import { releaseHeapSoon } from "./heap-release.js"
import { IdleLock } from "./idle-lock.js"
import { readIdentity } from "./key-helpers.js"
import { KeyManager } from "./key-manager.js"
import { SnapshotPolicy } from "./snapshot-policy.js"
import type { Identity, UnlockedVault } from "./unlocked-vault.js"

/** The unlocked session's module and with it Automerge's wasm (≈ 21 MiB), loaded at unlock: a locked daemon never holds them. */
const loadUnlockedVault = async (): Promise<typeof UnlockedVault> => (await import("./unlocked-vault.js")).UnlockedVault

export interface VaultServiceDeps {
  store: VaultStore
  home: string
  logger: Logger
  publish: (event: EventParams) => void
  /** Called with this device's new log entries once they are durable (sync pushes them). */
  onLocalEntries?: (entries: LogEntry[]) => void
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
 * The vault's lock state and every operation on records: unlock, lock (snapshot,
 * wipe keys), edits that are durable log entries before they are acknowledged,
 * merging entries from peers, password change, revoke's re-key and reset.
 *
 * Edits are group-committed: those arriving in one turn of the event loop (and
 * so those that arrived while the previous commit was writing) are applied
 * together and written in one store transaction, one fsync for all of them.
 */
export class VaultService {
  private open: UnlockedVault | undefined
  private readonly edits: EditQueue
  private readonly snapshots: SnapshotPolicy
  private readonly idle: IdleLock
  readonly keys: KeyManager
  private readonly now: () => number

  constructor(private readonly deps: VaultServiceDeps, options: VaultServiceOptions = {}) {
    this.idle = new IdleLock({ onIdle: () => this.lock("idle") }, { minutes: options.autoLockMinutes })
    this.now = options.now ?? Date.now
    this.keys = new KeyManager({ store: deps.store, home: deps.home, logger: deps.logger }, this.now)
    this.snapshots = new SnapshotPolicy({ open: () => this.open, logger: deps.logger, now: this.now })
    this.edits = new EditQueue({
      doc: () => this.open?.doc,
      persist: (changes, changed) => this.persist(changes, changed),
      onActivity: () => this.snapshots.noteActivity(),
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

  get accountId(): string {
    return this.deps.store.getMeta(META.accountId) ?? ""
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

  /**
   * Unlocks with the account password (the account key is on this device). The
   * password is checked every time, also when the vault is already unlocked or
   * another unlock is running (apps re-check it before showing a secret), and
   * every wrong one counts toward the throttle.
   */
  async unlock(password: string): Promise<number> {
    return this.openWith(await this.keys.unlock(password), await loadUnlockedVault())
  }

  /** Quick unlock: a remembered password key instead of the password (see QuickUnlock). */
  async unlockWithPasswordKey(passwordKey: Uint8Array): Promise<number> {
    return this.openWith(await this.keys.unlockWithPasswordKey(passwordKey), await loadUnlockedVault())
  }

  lock(reason: LockReason): void {
    // Edits that arrived before the lock are committed (or refused) first.
    this.edits.commit()
    const open = this.open
    if (!open) return
    try {
      if (open.entriesPending > 0) open.snapshot()
    } catch (error) {
      this.deps.logger.warn("could not write a snapshot at lock; the log still holds everything", errorFields(error))
    }
    open.close()
    this.keys.forget()
    this.open = undefined
    this.idle.clear()
    this.snapshots.cancel()
    this.deps.logger.info("vault locked", { reason })
    this.deps.publish({ type: "locked", reason })
    releaseHeapSoon()
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
    return this.unlocked().doc.list(filter)
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

  /** Creates a record; resolves with its id once it is durable (group commit). */
  async create(input: RecordInput): Promise<string> {
    return this.edits.enqueue((doc) => {
      const { id, changes } = doc.create(input)
      return { changes, changed: { id }, result: id }
    })
  }

  /** Creates records (an import) in slices that leave the event loop free: see bulk-create.ts. */
  createMany(inputs: RecordInput[], progress?: (done: number, total: number) => void): Promise<string[]> {
    return createInSlices({ open: () => this.unlocked(), persist: (changes, changed) => this.persist(changes, changed) }, inputs, progress)
  }

  /** Edits a record; resolves with the record once the edit is durable (group commit). */
  async update(id: string, patch: RecordPatch): Promise<VaultRecord> {
    return this.edits.enqueue((doc) => {
      const { record, changes } = doc.update(id, patch)
      return { changes, changed: { id }, result: record }
    })
  }

  /** Trashes a record, or deletes it for good; resolves once that is durable (group commit). */
  async remove(id: string, permanent: boolean): Promise<void> {
    return this.edits.enqueue((doc) => {
      const changes = permanent ? doc.deletePermanently(id) : doc.trash(id)
      return { changes, changed: permanent ? { id, deleted: true } : { id }, result: undefined }
    })
  }

  /** Merges entries that peers sent and the store accepted; a locked vault merges them at unlock. */
  applyRemote(entries: LogEntry[]): void {
    if (!this.open || entries.length === 0) return
    this.snapshots.noteActivity()
    this.publishRemoteChanges(this.open, this.open.applyEntries(entries))
    this.snapshots.check()
  }

  /** A peer's snapshot set was stored (snapshot-first sync): an open vault merges it now, a locked one at unlock. */
  applySnapshot = (): void => void (this.open && this.publishRemoteChanges(this.open, new Set(this.open.mergeStoredSnapshot())))

  /** A peer's keyset or account key arrived: take any new vault-key epoch it opens. */
  refreshKeys(): void {
    this.deps.onKeysetArrived?.()
    const open = this.open
    if (!open) return
    const keys = this.keys.refresh()
    if (!keys) return
    this.publishRemoteChanges(open, open.adoptKeys(keys))
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

  /** Opens the vault with checked keys; if it is open already, those keys are not needed and are wiped. */
  private openWith(keys: VaultKeys, opener: typeof UnlockedVault): number {
    if (this.open) {
      wipe(...keys.keys.values())
      return this.open.doc.size
    }
    const bucketCount = Number(this.deps.store.getMeta(META.bucketCount) ?? 64)
    const started = this.now()
    this.open = opener.open(
      { store: this.deps.store, logger: this.deps.logger, identity: this.identity(), accountId: accountIdBytes(this.accountId) },
      keys, bucketCount,
    )
    this.snapshots.check()
    this.deps.logger.info("vault unlocked", { records: this.open.doc.size, loadMs: this.now() - started, unreadable: this.open.unreadable.length })
    this.touch()
    this.deps.publish({ type: "unlocked", records: this.open.doc.size })
    return this.open.doc.size
  }

  /** `record.changed` for records a peer's entries (or newly readable ones) changed. */
  private publishRemoteChanges(open: UnlockedVault, ids: Iterable<string>): void {
    for (const id of ids) this.deps.publish({ type: "record.changed", id, origin: "remote", ...(open.doc.has(id) ? {} : { deleted: true }) })
  }

  private unlocked(): UnlockedVault {
    if (!this.open) throw new LockedError()
    return this.open
  }

  /**
   * Makes local changes durable, then announces them. If the disk refuses, the in-memory doc already holds the edits, so it
   * is rebuilt from what is durable and the error goes to the callers: an acknowledged edit is on disk, a refused one is nowhere.
   */
  private persist(changes: BucketChange[], changed: ChangedRecord[]): void {
    let entries: LogEntry[]
    try {
      entries = this.unlocked().commit(changes)
    } catch (error) {
      this.deps.logger.error("an edit could not be stored; reloading the vault from disk", errorFields(error))
      this.reloadFromDisk()
      throw error
    }
    for (const { id, deleted } of changed) this.deps.publish({ type: "record.changed", id, origin: "local", ...(deleted ? { deleted } : {}) })
    this.deps.onLocalEntries?.(entries)
    this.snapshots.check()
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
