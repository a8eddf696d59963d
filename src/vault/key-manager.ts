import {
  accountKeyDigest, combineUnlockKey, DEFAULT_KDF, equalBytes, fromHex, generateAccountKey, passwordKey, randomBytes, toBase64, wipe, type KdfParams,
} from "../crypto/index.js"
import { LanvaultError, WrongPasswordError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { TypedEvents, type Listener } from "../typed-events.js"
import { keysetBeats } from "../store/keyset-rank.js"
import {
  AsideKeysets, checkKdfBounds, checkNewPassword, hintMeta, holdsEpochsOf, keysetSignedBy, META, parseKeyset, readAccountKey,
  settleAccountKeyFile, wrapKeyset, writeNextAccountKey, type NewPasswordOptions, type VaultKeys, type WrappedKeyset,
} from "../account/index.js"
import { mergeAside, migrateLegacyKeys, noteTrustPublicKey, unlockWithAside } from "./aside-merge.js"
import { newEpochId, openKeyset } from "./key-helpers.js"
import { keepPreviousPassword, openPreviousPassword, replacedSalt } from "./previous-password.js"
import { PasswordCheck } from "./password-check.js"
import type { KeyStore } from "./ports.js"

const VAULT_KEY_BYTES = 32
const ACCOUNT_KEY_BYTES = 16
export interface KeyManagerDeps {
  store: KeyStore
  home: string
  logger: Logger
  /** The account's id (16 bytes) every keyset and unlock key binds; read once (AccountContext). */
  accountId: Uint8Array
}

/** Events of a {@link KeyManager}: keys changed underneath the sync side. */
export interface KeyEvents {
  /** A keyset was made here by merging (not by a user's call): offer it to peers. */
  keysetChanged: Record<string, never>
  /** The account key file changed (a re-key here or on a peer): advertise the new tags. */
  accountKeyChanged: Record<string, never>
}

/**
 * The two-secret keys of this device: unlock (throttled), password change,
 * re-key after a revoke, and adopting a keyset from a peer. A peer's keyset is
 * adopted only if it opens with this device's unlock key, or (locked, or made
 * under another password) is signed by the account's trust key, and in both
 * cases holds every epoch held; otherwise it is kept aside (AsideKeysets) and
 * never touches account.key. While unlocked it keeps the password key (the slow
 * scrypt half, never the password) so a re-key needs no second prompt.
 */
export class KeyManager {
  private held: { passwordKey: Uint8Array; salt: string } | undefined
  private readonly aside: AsideKeysets
  private readonly check: PasswordCheck
  private readonly events: TypedEvents<KeyEvents>

  /** Also finishes an account-key write a crash interrupted, and moves legacy key material out of vault.db. */
  constructor(private readonly deps: KeyManagerDeps, now: () => number = Date.now) {
    this.check = new PasswordCheck(deps, now)
    this.events = new TypedEvents((event, error) => deps.logger.error("a key event listener failed", { event, ...errorFields(error) }))
    this.aside = new AsideKeysets(deps.home)
    migrateLegacyKeys(deps.store, this.aside)
    this.settleAccountKey()
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof KeyEvents>(event: K, listener: Listener<KeyEvents[K]>): () => void {
    return this.events.on(event, listener)
  }

  /** Unwraps the vault keys with the password (or a keyset kept aside that it opens); always checked, throttled, one check at a time. */
  unlock(password: string): Promise<VaultKeys> {
    return this.check.serially(async () => {
      let opened: { keys: VaultKeys; slow: Uint8Array }
      try {
        opened = await this.check.unwrap(password, this.keyset(), this.deps.accountId)
      } catch (error) {
        const rescued = error instanceof WrongPasswordError ? await this.unlockAside(password) : undefined
        if (rescued === undefined) throw error
        opened = rescued
      }
      return this.opened(opened.keys, opened.slow)
    })
  }

  /** Unwraps with a remembered password key (quick unlock; taken, and wiped if it does not fit): QUICK_UNLOCK_UNAVAILABLE if stale. */
  unlockWithPasswordKey(slow: Uint8Array): Promise<VaultKeys> {
    return this.check.serially(async () => {
      const keys = this.open(this.keyset(), slow, readAccountKey(this.deps.home))
      if (keys === undefined) {
        wipe(slow)
        throw new LanvaultError("QUICK_UNLOCK_UNAVAILABLE", "the remembered quick unlock no longer opens the vault (the password changed): type the password", { data: { reason: "stale" } })
      }
      return this.opened(keys, slow)
    })
  }

  /** A copy of the held password key and the salt it belongs to (quick unlock remembers it), while unlocked. */
  heldPasswordKey(): { passwordKey: Uint8Array; salt: string } | undefined {
    return this.held && { passwordKey: this.held.passwordKey.slice(), salt: this.held.salt }
  }

  private opened(keys: VaultKeys, slow: Uint8Array): VaultKeys {
    this.hold(slow, this.keyset().kdf.salt)
    noteTrustPublicKey(this.deps.store, keys, this.deps.accountId)
    return this.settleAside(keys)
  }

  /** A new password and a new vault-key epoch (the old password never opens later changes); the caller owns the keys returned. */
  async changePassword(oldPassword: string, newPassword: string, options: NewPasswordOptions = {}): Promise<{ version: number; keys: VaultKeys }> {
    const hint = checkNewPassword(newPassword, { ...options, context: [this.deps.store.getMeta(META.deviceName) ?? ""] })
    return this.check.serially(() => this.changePasswordNow(oldPassword, newPassword, hint))
  }

  private async changePasswordNow(oldPassword: string, newPassword: string, hint: string | undefined): Promise<{ version: number; keys: VaultKeys }> {
    const current = this.keyset()
    const { keys, slow } = await this.check.unwrap(oldPassword, current, this.deps.accountId)
    const epoch = newEpochId(keys.keys)
    keys.keys.set(epoch, randomBytes(VAULT_KEY_BYTES))
    keys.currentEpoch = epoch
    const kdf: KdfParams = { ...DEFAULT_KDF, salt: toBase64(randomBytes(16)) }
    const newSlow = await passwordKey(newPassword, kdf)
    const version = Math.max(current.version, this.keyset().version) + 1
    keepPreviousPassword(this.deps.store, { salt: current.kdf.salt, slow }, newSlow)
    wipe(slow)
    this.storeKeyset(keys, newSlow, readAccountKey(this.deps.home), version, kdf, current.akSerial)
    if (hint === undefined) this.deps.store.deleteMeta(META.hint)
    else this.deps.store.setMeta(META.hint, hintMeta(hint, kdf.salt))
    if (this.held) this.hold(newSlow, kdf.salt)
    else wipe(newSlow)
    this.deps.logger.info("account password changed; a new vault-key epoch starts", { keysetVersion: version })
    return { version, keys }
  }

  /** Revoke's re-key (DESIGN §6): new account key and vault-key epoch, same password; `alongside` shares its store transaction. */
  rekey(keys: VaultKeys, alongside?: () => void): { accountKey: Uint8Array; keys: VaultKeys; version: number } {
    const current = this.keyset()
    if (!this.held) throw new LanvaultError("LOCKED", "the vault is locked: run `lanvault unlock` first")
    if (this.held.salt !== current.kdf.salt) {
      throw new LanvaultError("NOT_ALLOWED", "the password was changed on another device since this one was unlocked: run `lanvault lock`, `lanvault unlock`, then try again")
    }
    const epoch = newEpochId(keys.keys)
    const next: VaultKeys = { currentEpoch: epoch, keys: new Map([...keys.keys, [epoch, randomBytes(VAULT_KEY_BYTES)]]) }
    const accountKey = generateAccountKey()
    const version = current.version + 1
    this.storeKeyset(next, this.held.passwordKey, accountKey, version, current.kdf, (current.akSerial ?? 0) + 1, alongside)
    return { accountKey, keys: next, version }
  }

  /**
   * Takes a trusted peer's keyset (and the account key that opens it) if it ranks above ours and passes the
   * checks in the class comment; otherwise keeps it aside and logs why. One that lacks an epoch of ours, or
   * ranks lower but holds one we lack (the other side of a partition), is merged at once when unlocked, else
   * at the next unlock. Says whether the stored keyset changed.
   */
  acceptKeyset(version: number, blob: Uint8Array, accountKey: Uint8Array, from = "unknown"): boolean {
    const incoming = parseKeyset(blob)
    if (incoming.version !== version || accountKey.length !== ACCOUNT_KEY_BYTES) {
      throw new LanvaultError("PROTOCOL_ERROR", "a peer sent a keyset that does not match its own header")
    }
    checkKdfBounds(incoming.kdf)
    if (incoming.akDigest !== undefined && incoming.akDigest !== toBase64(accountKeyDigest(accountKey))) {
      throw new LanvaultError("PROTOCOL_ERROR", "a peer sent a keyset with an account key that is not its own")
    }
    const heldRow = this.deps.store.getKeyset()
    const held = heldRow === undefined ? undefined : parseKeyset(heldRow.blob)
    const keepAside = (reason: string): boolean => {
      this.aside.put({ from, version, blob, accountKey, reason })
      this.deps.logger.warn("a peer's keyset was kept aside, not adopted", { deviceId: from, version, reason })
      const before = this.deps.store.getKeyset()?.version
      this.refresh() // unlocked: merges now what the held (or previous) password key opens (mergeAside)
      return this.deps.store.getKeyset()?.version !== before
    }
    if (heldRow !== undefined && !keysetBeats({ version, blob }, heldRow)) return !holdsEpochsOf(held!, incoming) && keepAside("it ranks lower but holds a vault-key epoch this device lacks")
    if (this.held !== undefined && this.held.salt === incoming.kdf.salt) {
      const opened = this.open(incoming, this.held.passwordKey, accountKey)
      if (opened === undefined) return keepAside("it does not open with this device's unlock key")
      const complete = held === undefined || (held.epochs ?? []).every((epoch) => opened.keys.has(epoch))
      wipe(...opened.keys.values())
      if (complete) return this.adopt(version, blob, accountKey)
      return keepAside("it lacks a vault-key epoch this device holds: merging")
    }
    const trustPublic = this.trustPublicKey()
    if (trustPublic === undefined || !keysetSignedBy(incoming, this.deps.accountId, trustPublic, accountKey)) {
      return keepAside("it is not signed by the account's trust key (made by a locked device, or forged)")
    }
    if (held !== undefined && !holdsEpochsOf(incoming, held)) return keepAside("it lacks a vault-key epoch this device holds")
    return this.adopt(version, blob, accountKey)
  }

  /**
   * The keys the stored keyset opens with the held password key, merged with
   * any keyset kept aside that the same key opens (a merge stores a new keyset
   * version and calls the `keysetChanged` event). Undefined when locked or the
   * password changed elsewhere.
   */
  refresh(): VaultKeys | undefined {
    if (!this.held) return undefined
    const keyset = this.keyset()
    if (keyset.kdf.salt !== this.held.salt) return undefined
    const keys = this.open(keyset, this.held.passwordKey, readAccountKey(this.deps.home))
    return keys && this.settleAside(keys)
  }

  forget(): void {
    wipe(this.held?.passwordKey)
    this.held = undefined
  }

  keyset(): WrappedKeyset {
    const stored = this.deps.store.getKeyset()
    if (!stored) throw new LanvaultError("NO_ACCOUNT", `${this.deps.home} holds no keyset: run \`lanvault init\` or \`lanvault join\``)
    return parseKeyset(stored.blob)
  }

  trustPublicKey(): Uint8Array | undefined {
    const hex = this.deps.store.getMeta(META.trustPublicKey)
    return hex === undefined ? undefined : fromHex(hex)
  }

  /** Moves a next account key (see writeNextAccountKey) into account.key if the stored keyset needs it; also run at start. */
  settleAccountKey(): void {
    const row = this.deps.store.getKeyset()
    const keyset = row === undefined ? undefined : parseKeyset(row.blob)
    const belongs = (key: Uint8Array): boolean => keyset !== undefined && (keyset.akDigest !== undefined
      ? keyset.akDigest === toBase64(accountKeyDigest(key))
      : this.held !== undefined && this.open(keyset, this.held.passwordKey, key) !== undefined)
    if (settleAccountKeyFile(this.deps.home, belongs)) {
      this.deps.logger.info("the account key changed (re-key on this or another device)")
      this.events.emit("accountKeyChanged", {})
    }
  }

  private adopt(version: number, blob: Uint8Array, accountKey: Uint8Array): boolean {
    const current = readAccountKey(this.deps.home)
    if (!equalBytes(current, accountKey)) writeNextAccountKey(this.deps.home, accountKey)
    const stored = this.deps.store.putKeyset(version, blob)
    this.settleAccountKey()
    const row = this.deps.store.getKeyset()
    this.aside.retain((a) => row === undefined || keysetBeats(a, row))
    return stored
  }

  private hold(slow: Uint8Array, salt: string): void {
    this.forget()
    this.held = { passwordKey: slow, salt }
  }

  /** Stores a keyset made here (signed) and its account key: account.key.next, the keyset, then the rename (redone after a crash). */
  private storeKeyset(keys: VaultKeys, slow: Uint8Array, accountKey: Uint8Array, version: number, kdf: KdfParams, akSerial: number | undefined, alongside?: () => void): void {
    const unlockKey = combineUnlockKey(slow, accountKey, this.deps.accountId)
    try {
      const blob = wrapKeyset(keys, unlockKey, this.deps.accountId, version, kdf, accountKey, akSerial)
      if (!equalBytes(readAccountKey(this.deps.home), accountKey)) writeNextAccountKey(this.deps.home, accountKey)
      this.deps.store.transaction(() => {
        if (!this.deps.store.putKeyset(version, blob)) throw new LanvaultError("INTERNAL", `keyset version ${version} was not stored: a later one is held`)
        alongside?.() // both stored, or neither
      })
      this.settleAccountKey()
      this.deps.store.checkpoint?.()
    } finally {
      wipe(unlockKey)
    }
  }

  private unlockAside(password: string): Promise<{ keys: VaultKeys; slow: Uint8Array } | undefined> {
    return unlockWithAside({
      password, current: this.keyset(), aside: this.aside, store: this.deps.store, logger: this.deps.logger, replacedSalt: replacedSalt(this.deps.store),
      open: (keyset, slow, accountKey) => this.open(keyset, slow, accountKey),
      adopt: (version, blob, accountKey) => this.adopt(version, blob, accountKey),
    })
  }

  /** Adopts or merges the keysets kept aside that the held password key opens (see mergeAside). */
  private settleAside(keys: VaultKeys): VaultKeys {
    const held = this.held
    if (held === undefined) return keys
    const previous = openPreviousPassword(this.deps.store, held.passwordKey)
    try {
      return mergeAside({
      keys, aside: this.aside, store: this.deps.store, logger: this.deps.logger,
      // A keyset made under the password this device replaced (a peer's re-key across a partition) opens with the previous key.
      open: (keyset, accountKey) => keyset.kdf.salt === held.salt ? this.open(keyset, held.passwordKey, accountKey)
        : keyset.kdf.salt === previous?.salt ? this.open(keyset, previous.slow, accountKey) : undefined,
      signedByTrustKey: (keyset, accountKey) => {
        const trustPublic = this.trustPublicKey()
        return trustPublic !== undefined && keysetSignedBy(keyset, this.deps.accountId, trustPublic, accountKey)
      },
      adopt: (version, blob, accountKey) => this.adopt(version, blob, accountKey),
      storeMerged: (merged, version, accountKey, akSerial) => {
        this.storeKeyset(merged, held.passwordKey, accountKey ?? readAccountKey(this.deps.home), version, this.keyset().kdf, akSerial)
        this.events.emit("keysetChanged", {})
      },
      })
    } finally {
      wipe(previous?.slow)
    }
  }

  private open(keyset: WrappedKeyset, slow: Uint8Array, accountKey: Uint8Array): VaultKeys | undefined {
    return openKeyset(keyset, slow, accountKey, this.deps.accountId)
  }
}
