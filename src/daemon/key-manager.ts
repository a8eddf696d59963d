import {
  combineUnlockKey, DEFAULT_KDF, generateAccountKey, passwordKey, randomBytes, toBase64, wipe, type KdfParams,
} from "../crypto/index.js"
import { DecryptionError, LanvaultError, TooManyAttemptsError, WrongPasswordError } from "../errors.js"
import type { Logger } from "../log.js"
import type { VaultStore } from "../store/index.js"
import {
  checkNewPassword, META, parseKeyset, readAccountKey, retryAfterMs, unwrapKeyset, wrapKeyset, writeAccountKey,
  type ThrottleState, type VaultKeys, type WrappedKeyset,
} from "../account/index.js"

const VAULT_KEY_BYTES = 32

export interface KeyManagerDeps {
  store: VaultStore
  home: string
  logger: Logger
}

/**
 * The two-secret keys of this device: unlock (throttled), password change,
 * re-key after a revoke, and adopting a keyset or account key from a peer.
 * While unlocked it keeps the password key (the slow scrypt half, never the
 * password) so a re-key needs no second prompt; `forget()` wipes it.
 */
export class KeyManager {
  private held: { passwordKey: Uint8Array; salt: string } | undefined

  constructor(private readonly deps: KeyManagerDeps, private readonly now: () => number = Date.now) {}

  /** Unwraps the vault keys with the password and this device's account key. */
  async unlock(password: string): Promise<VaultKeys> {
    const keyset = this.keyset()
    const { keys, slow } = await this.unwrapThrottled(password, keyset)
    this.hold(slow, keyset.kdf.salt)
    return keys
  }

  /** Re-wraps the same vault keys under a new password: no record is touched. */
  async changePassword(oldPassword: string, newPassword: string): Promise<number> {
    checkNewPassword(newPassword)
    const current = this.keyset()
    const { keys, slow } = await this.unwrapThrottled(oldPassword, current)
    wipe(slow)
    try {
      const kdf: KdfParams = { ...DEFAULT_KDF, salt: toBase64(randomBytes(16)) }
      const newSlow = await passwordKey(newPassword, kdf)
      const version = current.version + 1
      this.storeKeyset(keys, newSlow, readAccountKey(this.deps.home), version, kdf)
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
   * wrapped under the same password. Needs the vault unlocked.
   */
  rekey(keys: VaultKeys): { accountKey: Uint8Array; keys: VaultKeys; version: number } {
    const current = this.keyset()
    if (!this.held) throw new LanvaultError("LOCKED", "the vault is locked: run `lanvault unlock` first")
    if (this.held.salt !== current.kdf.salt) {
      throw new LanvaultError("NOT_ALLOWED", "the password was changed on another device since this one was unlocked: run `lanvault lock`, `lanvault unlock`, then try again")
    }
    const epoch = Math.max(...keys.keys.keys()) + 1
    const next: VaultKeys = { currentEpoch: epoch, keys: new Map([...keys.keys, [epoch, randomBytes(VAULT_KEY_BYTES)]]) }
    const accountKey = generateAccountKey()
    const version = current.version + 1
    this.storeKeyset(next, this.held.passwordKey, accountKey, version, current.kdf)
    writeAccountKey(this.deps.home, accountKey)
    this.deps.store.setMeta(META.accountKeyVersion, String(version))
    return { accountKey, keys: next, version }
  }

  /** After a keyset or account key arrived from a peer: the keys it now opens, if the held password key fits. */
  refresh(): VaultKeys | undefined {
    if (!this.held) return undefined
    const keyset = this.keyset()
    if (keyset.kdf.salt !== this.held.salt) return undefined
    const unlockKey = combineUnlockKey(this.held.passwordKey, readAccountKey(this.deps.home), this.accountId())
    try {
      return unwrapKeyset(keyset, unlockKey, this.accountId())
    } catch {
      return undefined
    } finally {
      wipe(unlockKey)
    }
  }

  /** Adopts an account key a trusted peer sent, if it belongs to a newer keyset than ours. */
  adoptAccountKey(accountKey: Uint8Array, keysetVersion: number): boolean {
    const mine = Number(this.deps.store.getMeta(META.accountKeyVersion) ?? 0)
    if (!(keysetVersion > mine) || accountKey.length !== 16) return false
    writeAccountKey(this.deps.home, accountKey)
    this.deps.store.setMeta(META.accountKeyVersion, String(keysetVersion))
    this.deps.logger.info("adopted a new account key from a trusted device", { keysetVersion })
    return true
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

  private storeKeyset(keys: VaultKeys, slow: Uint8Array, accountKey: Uint8Array, version: number, kdf: KdfParams): void {
    const unlockKey = combineUnlockKey(slow, accountKey, this.accountId())
    try {
      this.deps.store.putKeyset(version, wrapKeyset(keys, unlockKey, this.accountId(), version, kdf))
    } finally {
      wipe(unlockKey)
    }
  }

  private async unwrapThrottled(password: string, keyset: WrappedKeyset): Promise<{ keys: VaultKeys; slow: Uint8Array }> {
    if (typeof password !== "string" || password.length === 0) throw new LanvaultError("INVALID_PARAMS", "a password is required")
    const throttle = this.throttleState()
    const wait = retryAfterMs(throttle, this.now())
    if (wait > 0) throw new TooManyAttemptsError(wait)
    const slow = await passwordKey(password, keyset.kdf)
    const unlockKey = combineUnlockKey(slow, readAccountKey(this.deps.home), this.accountId())
    try {
      const keys = unwrapKeyset(keyset, unlockKey, this.accountId())
      if (throttle.failures > 0) this.deps.store.deleteMeta(META.throttle)
      return { keys, slow }
    } catch (error) {
      wipe(slow)
      if (!(error instanceof DecryptionError)) throw error
      this.deps.store.setMeta(META.throttle, JSON.stringify({ failures: throttle.failures + 1, lastFailureAt: this.now() }))
      this.deps.logger.warn("wrong password", { failures: throttle.failures + 1 })
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

  private accountId(): Uint8Array {
    return new Uint8Array(Buffer.from(this.deps.store.getMeta(META.accountId) ?? "", "hex"))
  }
}
