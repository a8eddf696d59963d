import {
  combineUnlockKey, DEFAULT_KDF, equalBytes, fromBase64, generateAccountKey, passwordKey, randomBytes, toBase64, wipe, type KdfParams,
} from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { TypedEvents, type Listener } from "../typed-events.js"
import type { VaultStore } from "../store/index.js"
import {
  accountIdBytes, checkNewPassword, hintMeta, holdsEpochsOf, META, parseKeyset, readAccountKey, unwrapKeyset, wrapKeyset, writeAccountKey,
  type NewPasswordOptions, type VaultKeys, type WrappedKeyset,
} from "../account/index.js"
import { newEpochId, readAccountKeyIfAny, tryParseKeyset } from "./key-helpers.js"
import { PasswordCheck } from "./password-check.js"

const VAULT_KEY_BYTES = 32
const ACCOUNT_KEY_BYTES = 16
/** Orphaned keysets kept at most (each is one partition-side re-key). */
const MAX_ORPHANS = 16

/** A keyset a peer's replaced, with the account key that opens it (both base64). */
interface Orphan {
  blob: string
  accountKey: string
}

export interface KeyManagerDeps {
  store: VaultStore
  home: string
  logger: Logger
}

/** Events of a {@link KeyManager}: keys changed underneath the sync side. */
export interface KeyEvents {
  /** A keyset was made here by merging orphans (not by a user's call): offer it to peers. */
  keysetChanged: Record<string, never>
  /** The account key file changed (a re-key here or on a peer): advertise the new tags. */
  accountKeyChanged: Record<string, never>
}

/**
 * The two-secret keys of this device: unlock (throttled), password change,
 * re-key after a revoke, and adopting a keyset or account key from a peer.
 * While unlocked it keeps the password key (the slow scrypt half, never the
 * password) so a re-key needs no second prompt; `forget()` wipes it.
 */
export class KeyManager {
  private held: { passwordKey: Uint8Array; salt: string } | undefined
  private readonly check: PasswordCheck
  private readonly events: TypedEvents<KeyEvents>

  /** Also finishes an account-key write a crash interrupted (META.pendingAccountKey). */
  constructor(private readonly deps: KeyManagerDeps, now: () => number = Date.now) {
    this.check = new PasswordCheck(deps, now)
    this.events = new TypedEvents((event, error) => deps.logger.error("a key event listener failed", { event, ...errorFields(error) }))
    this.settleAccountKey()
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof KeyEvents>(event: K, listener: Listener<KeyEvents[K]>): () => void {
    return this.events.on(event, listener)
  }

  /** Unwraps the vault keys with the password and this device's account key (always checked, throttled, one check at a time). */
  unlock(password: string): Promise<VaultKeys> {
    return this.check.serially(async () => {
      const keyset = this.keyset()
      const { keys, slow } = await this.check.unwrap(password, keyset, this.accountId())
      this.hold(slow, keyset.kdf.salt)
      return this.mergeOrphans(keys)
    })
  }

  /**
   * Unwraps the vault keys with a remembered password key (quick unlock; it is
   * taken, and wiped if it does not fit). QUICK_UNLOCK_UNAVAILABLE if it no longer opens the keyset.
   */
  unlockWithPasswordKey(slow: Uint8Array): Promise<VaultKeys> {
    return this.check.serially(async () => {
      const keyset = this.keyset()
      const keys = this.open(keyset, slow, readAccountKey(this.deps.home))
      if (keys === undefined) {
        wipe(slow)
        throw new LanvaultError("QUICK_UNLOCK_UNAVAILABLE", "the remembered quick unlock no longer opens the vault (the password changed): type the password", { data: { reason: "stale" } })
      }
      this.hold(slow, keyset.kdf.salt)
      return this.mergeOrphans(keys)
    })
  }

  /** A copy of the held password key and the salt it belongs to (quick unlock remembers it), while unlocked. */
  heldPasswordKey(): { passwordKey: Uint8Array; salt: string } | undefined {
    return this.held && { passwordKey: this.held.passwordKey.slice(), salt: this.held.salt }
  }

  /** Re-wraps the same vault keys under a new password: no record is touched. */
  async changePassword(oldPassword: string, newPassword: string, options: NewPasswordOptions = {}): Promise<number> {
    const hint = checkNewPassword(newPassword, { ...options, context: [this.deps.store.getMeta(META.deviceName) ?? ""] })
    return this.check.serially(() => this.changePasswordNow(oldPassword, newPassword, hint))
  }

  private async changePasswordNow(oldPassword: string, newPassword: string, hint: string | undefined): Promise<number> {
    const current = this.keyset()
    const { keys, slow } = await this.check.unwrap(oldPassword, current, this.accountId())
    wipe(slow)
    try {
      const kdf: KdfParams = { ...DEFAULT_KDF, salt: toBase64(randomBytes(16)) }
      const newSlow = await passwordKey(newPassword, kdf)
      const version = current.version + 1
      this.storeKeyset(keys, newSlow, readAccountKey(this.deps.home), version, kdf)
      if (hint === undefined) this.deps.store.deleteMeta(META.hint)
      else this.deps.store.setMeta(META.hint, hintMeta(hint, kdf.salt))
      if (this.held) this.hold(newSlow, kdf.salt)
      else wipe(newSlow)
      this.deps.logger.info("account password changed", { keysetVersion: version })
      return version
    } finally {
      wipe(...keys.keys.values())
    }
  }

  /**
   * Revoke's re-key (DESIGN §6): a new account key and a new vault-key epoch,
   * wrapped under the same password. Needs the vault unlocked. The epoch id is
   * random, so two devices re-keying on both sides of a partition never make
   * two different keys for one epoch.
   */
  rekey(keys: VaultKeys): { accountKey: Uint8Array; keys: VaultKeys; version: number } {
    const current = this.keyset()
    if (!this.held) throw new LanvaultError("LOCKED", "the vault is locked: run `lanvault unlock` first")
    if (this.held.salt !== current.kdf.salt) {
      throw new LanvaultError("NOT_ALLOWED", "the password was changed on another device since this one was unlocked: run `lanvault lock`, `lanvault unlock`, then try again")
    }
    const epoch = newEpochId(keys.keys)
    const next: VaultKeys = { currentEpoch: epoch, keys: new Map([...keys.keys, [epoch, randomBytes(VAULT_KEY_BYTES)]]) }
    const accountKey = generateAccountKey()
    const version = current.version + 1
    this.storeKeyset(next, this.held.passwordKey, accountKey, version, current.kdf)
    return { accountKey, keys: next, version }
  }

  /**
   * Takes a keyset a trusted peer sent with the account key that opens it, if
   * it ranks above ours. When ours held an epoch the peer's lacks (both were
   * made on two sides of a partition), ours is kept as an orphan and merged in
   * at the next {@link refresh} or unlock, so no epoch's key is ever lost.
   */
  acceptKeyset(version: number, blob: Uint8Array, accountKey: Uint8Array): boolean {
    const { store, home, logger } = this.deps
    const incoming = parseKeyset(blob)
    if (incoming.version !== version || accountKey.length !== ACCOUNT_KEY_BYTES) {
      throw new LanvaultError("PROTOCOL_ERROR", "a peer sent a keyset that does not match its own header")
    }
    const accepted = store.transaction(() => {
      const held = store.getKeyset()
      if (!store.putKeyset(version, blob)) return false
      if (held !== undefined && !holdsEpochsOf(incoming, parseKeyset(held.blob))) {
        const orphans = this.orphans()
        orphans.push({ blob: toBase64(held.blob), accountKey: toBase64(readAccountKey(home)) })
        store.setMeta(META.orphanKeysets, JSON.stringify(orphans.slice(-MAX_ORPHANS)))
        logger.warn("a peer's keyset lacks a vault-key epoch ours has (made on both sides of a partition): they are merged at the next unlock", { version })
      }
      store.setMeta(META.pendingAccountKey, toBase64(accountKey))
      return true
    })
    if (accepted) this.settleAccountKey()
    return accepted
  }

  /**
   * After a keyset arrived from a peer: the keys it now opens, if the held
   * password key fits, merged with any orphaned keyset's (a merge stores a new
   * keyset version; the `keysetChanged` event then offers it to peers).
   */
  refresh(): VaultKeys | undefined {
    if (!this.held) return undefined
    const keyset = this.keyset()
    if (keyset.kdf.salt !== this.held.salt) return undefined
    const keys = this.open(keyset, this.held.passwordKey, readAccountKey(this.deps.home))
    return keys && this.mergeOrphans(keys)
  }

  /** Wipes the held password key (at lock). */
  forget(): void {
    wipe(this.held?.passwordKey)
    this.held = undefined
  }

  keyset(): WrappedKeyset {
    const stored = this.deps.store.getKeyset()
    if (!stored) throw new LanvaultError("NO_ACCOUNT", `${this.deps.home} holds no keyset: run \`lanvault init\` or \`lanvault join\``)
    return parseKeyset(stored.blob)
  }

  private hold(slow: Uint8Array, salt: string): void {
    this.forget()
    this.held = { passwordKey: slow, salt }
  }

  /**
   * Stores a keyset made here and, when it comes with a new account key, that
   * key: both in one transaction (the key as pending), then the key file.
   */
  private storeKeyset(keys: VaultKeys, slow: Uint8Array, accountKey: Uint8Array, version: number, kdf: KdfParams): void {
    const { store } = this.deps
    const unlockKey = combineUnlockKey(slow, accountKey, this.accountId())
    try {
      const blob = wrapKeyset(keys, unlockKey, this.accountId(), version, kdf)
      store.transaction(() => {
        if (!store.putKeyset(version, blob)) throw new LanvaultError("INTERNAL", `keyset version ${version} was not stored: a later one is held`)
        store.setMeta(META.pendingAccountKey, toBase64(accountKey))
      })
      this.settleAccountKey()
    } finally {
      wipe(unlockKey)
    }
  }

  /** Moves a pending account key (see META.pendingAccountKey) into the key file; also run at start after a crash. */
  settleAccountKey(): void {
    const pending = this.deps.store.getMeta(META.pendingAccountKey)
    if (pending === undefined) return
    const accountKey = fromBase64(pending)
    const held = readAccountKeyIfAny(this.deps.home)
    if (held === undefined || !equalBytes(accountKey, held)) {
      writeAccountKey(this.deps.home, accountKey)
      this.deps.logger.info("the account key changed (re-key on this or another device)")
      this.events.emit("accountKeyChanged", {})
    }
    this.deps.store.deleteMeta(META.pendingAccountKey)
  }

  /**
   * Adds the keys of orphaned keysets (see {@link acceptKeyset}) that the held
   * password key opens, and stores the union as the next keyset version.
   * Orphans made under another password stay until that password is used.
   */
  private mergeOrphans(keys: VaultKeys): VaultKeys {
    const orphans = this.orphans()
    if (orphans.length === 0 || !this.held) return keys
    const current = this.keyset()
    if (current.kdf.salt !== this.held.salt) return keys
    const union = new Map(keys.keys)
    const kept: Orphan[] = []
    for (const orphan of orphans) {
      const keyset = tryParseKeyset(fromBase64(orphan.blob))
      if (keyset === undefined) continue
      const opened = keyset.kdf.salt === this.held.salt ? this.open(keyset, this.held.passwordKey, fromBase64(orphan.accountKey)) : undefined
      if (opened === undefined) {
        kept.push(orphan)
        continue
      }
      for (const [epoch, key] of opened.keys) {
        if (union.has(epoch)) wipe(key)
        else union.set(epoch, key)
      }
    }
    const merged: VaultKeys = { currentEpoch: keys.currentEpoch, keys: union }
    if (union.size > keys.keys.size) {
      const version = current.version + 1
      this.storeKeyset(merged, this.held.passwordKey, readAccountKey(this.deps.home), version, current.kdf)
      this.deps.logger.info("merged the vault keys of a keyset made on the other side of a partition", { keysetVersion: version, epochs: union.size })
      this.events.emit("keysetChanged", {})
    }
    if (kept.length > 0) this.deps.store.setMeta(META.orphanKeysets, JSON.stringify(kept))
    else this.deps.store.deleteMeta(META.orphanKeysets)
    return merged
  }

  private open(keyset: WrappedKeyset, slow: Uint8Array, accountKey: Uint8Array): VaultKeys | undefined {
    const unlockKey = combineUnlockKey(slow, accountKey, this.accountId())
    try {
      return unwrapKeyset(keyset, unlockKey, this.accountId())
    } catch {
      return undefined
    } finally {
      wipe(unlockKey)
    }
  }

  private orphans(): Orphan[] {
    try {
      const parsed = JSON.parse(this.deps.store.getMeta(META.orphanKeysets) ?? "[]") as Orphan[]
      return Array.isArray(parsed) ? parsed.filter((o) => typeof o?.blob === "string" && typeof o.accountKey === "string") : []
    } catch {
      return []
    }
  }

  private accountId(): Uint8Array {
    return accountIdBytes(this.deps.store.getMeta(META.accountId) ?? "")
  }
}
