import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { concatBytes, fromBase64, hkdf, open, randomBytes, seal, toBase64, toHex, utf8, wipe } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import type { Logger } from "../log.js"
import { writeSecretFile } from "./account-files.js"

export const DEFAULT_QUICK_UNLOCK_USES = 50
export const DEFAULT_QUICK_UNLOCK_DAYS = 14
export const MAX_QUICK_UNLOCK_USES = 1_000
export const MAX_QUICK_UNLOCK_DAYS = 90
const MS_PER_DAY = 86_400_000
const DEVICE_SECRET_BYTES = 32
const ENTRY_ID_BYTES = 16
const FILE_NAME = "quick-unlock.json"
const FORMAT = "lanvault-quick-unlock" as const
/** HKDF info of the key that wraps the remembered password key (RFC 5869; salt = the entry id). */
const WRAP_INFO = "lanvault quick unlock v1"

/** The narrow keychain port quick unlock needs (keychain/OsKeychain implements it): opaque bytes under a name. */
export interface SecretKeeper {
  set(name: string, secret: Uint8Array): Promise<void>
  get(name: string): Promise<Uint8Array | undefined>
  delete(name: string): Promise<boolean>
}

/** What a quick unlock is bound to: this account, this device, and the password (by its KDF salt). */
export interface QuickUnlockBinding {
  accountId: string
  deviceId: string
  salt: string
}

/** A remembered quick unlock, as `status` shows it. */
export interface QuickUnlockState {
  usesLeft: number
  expiresAt: number
}

/** The file in the home (0600): the password key wrapped under a key only the keychain's secret gives. */
interface QuickUnlockFile extends QuickUnlockBinding {
  format: typeof FORMAT
  v: 1
  id: string
  createdAt: number
  expiresAt: number
  maxUses: number
  uses: number
  wrapped: string
}

/**
 * Quick unlock (`unlock --remember`): a random 32-byte secret in the OS keychain
 * unwraps a copy of this device's password key (the scrypt half of the
 * two-secret derivation, never the password and never a vault key) kept in the
 * home. With the account key file it opens the keyset, as the password would.
 * Bound to the account, the device and the password's salt; good for a number
 * of unlocks and days, then forgotten.
 */
export class QuickUnlock {
  constructor(private readonly deps: { home: string; keeper: SecretKeeper; logger: Logger; now?: () => number }) {}

  private get path(): string {
    return join(this.deps.home, FILE_NAME)
  }

  private now(): number {
    return (this.deps.now ?? Date.now)()
  }

  /** Remembers `passwordKey` (copied) for at most `uses` unlocks and `days` days; replaces any earlier one. */
  async remember(passwordKey: Uint8Array, binding: QuickUnlockBinding, limits: { uses?: number; days?: number } = {}): Promise<QuickUnlockState> {
    const maxUses = limits.uses ?? DEFAULT_QUICK_UNLOCK_USES
    const days = limits.days ?? DEFAULT_QUICK_UNLOCK_DAYS
    if (!Number.isSafeInteger(maxUses) || maxUses < 1 || maxUses > MAX_QUICK_UNLOCK_USES) throw new LanvaultError("INVALID_PARAMS", `quick unlock uses must be 1 to ${MAX_QUICK_UNLOCK_USES}`)
    if (!Number.isSafeInteger(days) || days < 1 || days > MAX_QUICK_UNLOCK_DAYS) throw new LanvaultError("INVALID_PARAMS", `quick unlock days must be 1 to ${MAX_QUICK_UNLOCK_DAYS}`)
    await this.forget()
    const secret = randomBytes(DEVICE_SECRET_BYTES)
    const createdAt = this.now()
    const header = { format: FORMAT, v: 1 as const, id: toHex(randomBytes(ENTRY_ID_BYTES)), ...binding, createdAt, expiresAt: createdAt + days * MS_PER_DAY, maxUses }
    const key = wrapKey(secret, header.id)
    try {
      await this.deps.keeper.set(keychainName(header.id), secret)
      const file: QuickUnlockFile = { ...header, uses: 0, wrapped: toBase64(seal(key, passwordKey, associatedData(header))) }
      writeSecretFile(this.path, `${JSON.stringify(file)}\n`)
      this.deps.logger.info("quick unlock remembered", { maxUses, days })
      return { usesLeft: maxUses, expiresAt: header.expiresAt }
    } finally {
      wipe(secret, key)
    }
  }

  /**
   * The remembered password key, counting one use, if it is still good for
   * `binding`. QUICK_UNLOCK_UNAVAILABLE (data.reason) when none is remembered or
   * it is used up, expired, or for another password (then it is forgotten);
   * KEYCHAIN_UNAVAILABLE when the keychain is missing, locked or refuses (kept).
   */
  async recall(binding: QuickUnlockBinding): Promise<{ passwordKey: Uint8Array; state: QuickUnlockState }> {
    const file = this.read()
    if (file === undefined) throw unavailable("none", "no quick unlock is remembered on this device (`lanvault unlock --remember` keeps one)")
    const stale = file.accountId !== binding.accountId || file.deviceId !== binding.deviceId ? "it belongs to another account"
      : file.salt !== binding.salt ? "the account password was changed or reset (here or on another device)"
      : file.uses >= file.maxUses ? `it was used ${file.maxUses} times`
      : this.now() >= file.expiresAt ? "it expired" : undefined
    if (stale !== undefined) return this.refuse("stale", `the remembered quick unlock is no longer valid: ${stale}; type the password (and --remember again)`)
    const secret = await this.deps.keeper.get(keychainName(file.id))
    if (secret === undefined) return this.refuse("missing", "the system keychain no longer holds the quick-unlock secret; type the password (and --remember again)")
    const key = wrapKey(secret, file.id)
    let passwordKey: Uint8Array
    try {
      passwordKey = open(key, fromBase64(file.wrapped), associatedData(file))
    } catch {
      return this.refuse("stale", "the remembered quick unlock does not open (the keychain's secret or the file changed); type the password")
    } finally {
      wipe(secret, key)
    }
    // Counted before it is used: a crash right after never gives a free use.
    const uses = file.uses + 1
    writeSecretFile(this.path, `${JSON.stringify({ ...file, uses })}\n`)
    return { passwordKey, state: { usesLeft: file.maxUses - uses, expiresAt: file.expiresAt } }
  }

  /** The remembered quick unlock, if any (no keychain access). */
  state(): QuickUnlockState | undefined {
    const file = this.read()
    return file && { usesLeft: Math.max(0, file.maxUses - file.uses), expiresAt: file.expiresAt }
  }

  /** The salt the remembered quick unlock was made for, if any. */
  rememberedSalt(): string | undefined {
    return this.read()?.salt
  }

  /**
   * Forgets it: the keychain item, then the file. A keychain that cannot be
   * reached is logged and the file removed anyway (the 32 random bytes left in
   * the keychain unwrap nothing without it). True if one was remembered.
   */
  async forget(): Promise<boolean> {
    const file = this.read()
    if (file !== undefined) {
      try {
        await this.deps.keeper.delete(keychainName(file.id))
      } catch (error) {
        this.deps.logger.warn("could not remove the quick-unlock secret from the system keychain; the file that it unwraps is removed", { reason: (error as Error).message })
      }
    }
    rmSync(this.path, { force: true })
    if (file !== undefined) this.deps.logger.info("quick unlock forgotten")
    return file !== undefined
  }

  private async refuse(reason: string, message: string): Promise<never> {
    await this.forget()
    throw unavailable(reason, message)
  }

  private read(): QuickUnlockFile | undefined {
    let text: string
    try {
      text = readFileSync(this.path, "utf8")
    } catch {
      return undefined
    }
    try {
      const file = JSON.parse(text) as QuickUnlockFile
      const ok = file?.format === FORMAT && file.v === 1 && [file.id, file.accountId, file.deviceId, file.salt, file.wrapped].every((s) => typeof s === "string") &&
        [file.createdAt, file.expiresAt, file.maxUses, file.uses].every((n) => Number.isSafeInteger(n))
      return ok ? file : undefined
    } catch {
      return undefined
    }
  }
}

function keychainName(id: string): string {
  return `quick-unlock ${id}`
}

function wrapKey(secret: Uint8Array, id: string): Uint8Array {
  return hkdf(secret, WRAP_INFO, 32, utf8(id))
}

/** Binds every fixed field of the file (not the use count) to the wrapped key. */
function associatedData(file: Omit<QuickUnlockFile, "uses" | "wrapped">): Uint8Array {
  const fixed = [file.format, file.v, file.id, file.accountId, file.deviceId, file.salt, file.createdAt, file.expiresAt, file.maxUses]
  return concatBytes(utf8(JSON.stringify(fixed)))
}

function unavailable(reason: string, message: string): LanvaultError {
  return new LanvaultError("QUICK_UNLOCK_UNAVAILABLE", message, { data: { reason } })
}
