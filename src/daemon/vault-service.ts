import { ed25519 } from "@noble/curves/ed25519.js"
import { deriveUnlockKey, DEFAULT_KDF, randomBytes, toBase64, wipe, type KdfParams } from "../crypto/index.js"
import {
  DecryptionError, LanvaultError, LockedError, NotFoundError, TooManyAttemptsError, WrongPasswordError,
} from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import type { EventParams } from "../api/protocol.js"
import type { HistoryEntry, ListFilter, RecordInput, RecordPatch, RecordSummary, VaultRecord } from "../merge/types.js"
import type { VaultStore } from "../store/index.js"
import {
  META, parseKeyset, readAccountKey, resetAccountInStore, retryAfterMs, unwrapKeyset, wrapKeyset, checkNewPassword,
  type NewAccount, type ThrottleState, type VaultKeys,
} from "../account/index.js"
import { UnlockedVault, type Identity } from "./unlocked-vault.js"

const DEFAULT_AUTO_LOCK_MINUTES = 15
const SNAPSHOT_EVERY_ENTRIES = 1_000
const MS_PER_MINUTE = 60_000

export interface VaultServiceDeps {
  store: VaultStore
  home: string
  logger: Logger
  publish: (event: EventParams) => void
}

export interface VaultServiceOptions {
  /** Idle minutes before the vault locks itself; 0 = never. */
  autoLockMinutes?: number
  now?: () => number
}

/**
 * The vault's lock state and every operation on records: unlock (two-secret key
 * derivation, throttled), lock (snapshot, wipe keys), edits that become durable
 * log entries before they are acknowledged, password change and reset.
 */
export class VaultService {
  private open: UnlockedVault | undefined
  private unlocking: Promise<number> | undefined
  private idleTimer: NodeJS.Timeout | undefined
  readonly autoLockMinutes: number
  private readonly now: () => number

  constructor(private readonly deps: VaultServiceDeps, options: VaultServiceOptions = {}) {
    this.autoLockMinutes = options.autoLockMinutes ?? DEFAULT_AUTO_LOCK_MINUTES
    this.now = options.now ?? Date.now
  }

  get locked(): boolean {
    return this.open === undefined
  }

  get recordCount(): number | undefined {
    return this.open?.doc.size
  }

  get accountId(): string {
    return this.deps.store.getMeta(META.accountId) ?? ""
  }

  get deviceName(): string {
    return this.deps.store.getMeta(META.deviceName) ?? ""
  }

  identity(): Identity & { signPublic: Uint8Array } {
    const identity = this.deps.store.getIdentity()
    if (!identity) throw new LanvaultError("NO_ACCOUNT", `${this.deps.home} holds no account: run \`lanvault init\``)
    return { deviceId: identity.deviceId, signSecret: identity.signSecret, signPublic: ed25519.getPublicKey(identity.signSecret) }
  }

  /** Unlocks with the account password (the account key is on this device). */
  unlock(password: string): Promise<number> {
    if (this.open) return Promise.resolve(this.open.doc.size)
    this.unlocking ??= this.doUnlock(password).finally(() => {
      this.unlocking = undefined
    })
    return this.unlocking
  }

  lock(reason: "request" | "idle" | "shutdown" | "reset"): void {
    const open = this.open
    if (!open) return
    try {
      if (open.entriesPending > 0) open.snapshot()
    } catch (error) {
      this.deps.logger.warn("could not write a snapshot at lock; the log still holds everything", errorFields(error))
    }
    open.close()
    this.open = undefined
    this.clearIdleTimer()
    this.deps.logger.info("vault locked", { reason })
    this.deps.publish({ type: "locked", reason })
  }

  /** Called on every API request: restarts the idle auto-lock timer. */
  touch(): void {
    if (!this.open || this.autoLockMinutes <= 0) return
    this.clearIdleTimer()
    this.idleTimer = setTimeout(() => this.lock("idle"), this.autoLockMinutes * MS_PER_MINUTE)
    this.idleTimer.unref()
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

  create(input: RecordInput): string {
    const { id, changes } = this.unlocked().doc.create(input)
    this.persist(() => this.unlocked().commit(changes))
    this.deps.publish({ type: "record.changed", id, origin: "local" })
    return id
  }

  createMany(inputs: RecordInput[]): string[] {
    const { ids, changes } = this.unlocked().doc.createMany(inputs)
    this.persist(() => this.unlocked().commit(changes))
    for (const id of ids) this.deps.publish({ type: "record.changed", id, origin: "local" })
    return ids
  }

  update(id: string, patch: RecordPatch): VaultRecord {
    this.get(id)
    const { record, changes } = this.unlocked().doc.update(id, patch)
    this.persist(() => this.unlocked().commit(changes))
    this.deps.publish({ type: "record.changed", id, origin: "local" })
    return record
  }

  remove(id: string, permanent: boolean): void {
    this.get(id)
    const doc = this.unlocked().doc
    const changes = permanent ? doc.deletePermanently(id) : doc.trash(id)
    this.persist(() => this.unlocked().commit(changes))
    this.deps.publish({ type: "record.changed", id, origin: "local", deleted: permanent })
  }

  /** Re-wraps the same vault keys under the new password: no record is touched. */
  async changePassword(oldPassword: string, newPassword: string): Promise<number> {
    checkNewPassword(newPassword)
    const { store } = this.deps
    const current = this.currentKeyset()
    const keys = await this.unwrapThrottled(oldPassword)
    try {
      const kdf: KdfParams = { ...DEFAULT_KDF, salt: toBase64(randomBytes(16)) }
      const unlockKey = await deriveUnlockKey(newPassword, readAccountKey(this.deps.home), this.accountIdBytes(), kdf)
      const version = current.version + 1
      store.putKeyset(version, wrapKeyset(keys, unlockKey, this.accountIdBytes(), version, kdf))
      wipe(unlockKey)
      this.deps.logger.info("account password changed", { keysetVersion: version })
      return version
    } finally {
      wipe(...keys.keys.values())
    }
  }

  /** Wipes this device's vault and starts the account over with a new key. */
  async reset(newPassword: string): Promise<NewAccount> {
    checkNewPassword(newPassword)
    this.lock("reset")
    const result = await resetAccountInStore(this.deps.store, this.deps.home, newPassword)
    this.deps.logger.warn("account reset: the vault was wiped and a new account key made")
    return result
  }

  stop(): void {
    this.lock("shutdown")
  }

  private async doUnlock(password: string): Promise<number> {
    const keys = await this.unwrapThrottled(password)
    const bucketCount = Number(this.deps.store.getMeta(META.bucketCount) ?? 64)
    const started = this.now()
    this.open = UnlockedVault.open(
      { store: this.deps.store, logger: this.deps.logger, identity: this.identity(), accountId: this.accountIdBytes() },
      keys, bucketCount,
    )
    if (this.open.entriesPending >= SNAPSHOT_EVERY_ENTRIES) this.open.snapshot()
    this.deps.logger.info("vault unlocked", { records: this.open.doc.size, loadMs: this.now() - started, unreadable: this.open.unreadable.length })
    this.touch()
    this.deps.publish({ type: "unlocked", records: this.open.doc.size })
    return this.open.doc.size
  }

  /** Derives the two-secret key and unwraps the keyset, counting wrong passwords. */
  private async unwrapThrottled(password: string): Promise<VaultKeys> {
    if (typeof password !== "string" || password.length === 0) throw new LanvaultError("INVALID_PARAMS", "a password is required")
    const throttle = this.throttleState()
    const wait = retryAfterMs(throttle, this.now())
    if (wait > 0) throw new TooManyAttemptsError(wait)
    const keyset = this.currentKeyset()
    const unlockKey = await deriveUnlockKey(password, readAccountKey(this.deps.home), this.accountIdBytes(), keyset.kdf)
    try {
      const keys = unwrapKeyset(keyset, unlockKey, this.accountIdBytes())
      if (throttle.failures > 0) this.deps.store.deleteMeta(META.throttle)
      return keys
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error
      this.deps.store.setMeta(META.throttle, JSON.stringify({ failures: throttle.failures + 1, lastFailureAt: this.now() }))
      this.deps.logger.warn("wrong password at unlock", { failures: throttle.failures + 1 })
      throw new WrongPasswordError()
    } finally {
      wipe(unlockKey)
    }
  }

  private throttleState(): ThrottleState {
    try {
      const parsed = JSON.parse(this.deps.store.getMeta(META.throttle) ?? "null") as ThrottleState | null
      return parsed ?? { failures: 0, lastFailureAt: 0 }
    } catch {
      return { failures: 0, lastFailureAt: 0 }
    }
  }

  private currentKeyset() {
    const stored = this.deps.store.getKeyset()
    if (!stored) throw new LanvaultError("NO_ACCOUNT", `${this.deps.home} holds no keyset: run \`lanvault init\` or \`lanvault join\``)
    return parseKeyset(stored.blob)
  }

  private accountIdBytes(): Uint8Array {
    return new Uint8Array(Buffer.from(this.accountId, "hex"))
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }

  private unlocked(): UnlockedVault {
    if (!this.open) throw new LockedError()
    return this.open
  }

  /**
   * Runs a commit; if the disk refuses it, the in-memory doc already holds the
   * edit, so it is rebuilt from what is durable and the error goes to the caller:
   * an acknowledged edit is on disk, a refused one is nowhere.
   */
  private persist(commit: () => void): void {
    try {
      commit()
      if (this.open && this.open.entriesPending >= SNAPSHOT_EVERY_ENTRIES) this.open.snapshot()
    } catch (error) {
      this.deps.logger.error("an edit could not be stored; reloading the vault from disk", errorFields(error))
      this.reloadFromDisk()
      throw error
    }
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
