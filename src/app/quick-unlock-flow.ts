import { QuickUnlock, type QuickUnlockBinding, type QuickUnlockState, type SecretKeeper } from "../account/index.js"
import { wipe } from "../crypto/index.js"
import { InvalidParamsError, LanvaultError } from "../errors.js"
import type { Logger } from "../log.js"
import type { ResultOf } from "../api/protocol.js"
import { OsKeychain } from "../keychain/index.js"
import type { VaultService } from "../vault/index.js"

/** How long and how often a remembered quick unlock may be used (`unlock --remember`). */
export interface RememberLimits {
  uses?: number
  days?: number
}

/**
 * The socket's `unlock` with its quick-unlock side: without a password it uses
 * the one remembered in the OS keychain; with `remember` it keeps one after a
 * password unlock. A keychain that is missing, locked or refuses never fails a
 * password unlock: the result says why nothing was remembered.
 */
export class QuickUnlockFlow {
  private readonly quick: QuickUnlock

  constructor(private readonly deps: { vault: VaultService; home: string; logger: Logger; keeper?: SecretKeeper; now?: () => number }) {
    this.quick = new QuickUnlock({ home: deps.home, keeper: deps.keeper ?? new OsKeychain(), logger: deps.logger, now: deps.now })
  }

  async unlock(password: string | undefined, remember: RememberLimits | undefined): Promise<ResultOf<"unlock">> {
    const { vault } = this.deps
    if (password === undefined) {
      if (remember !== undefined) throw new InvalidParamsError("remembering a quick unlock needs the password")
      const { passwordKey, state } = await this.quick.recall(this.binding())
      return { unlocked: true, records: await vault.unlockWithPasswordKey(passwordKey), quick: state }
    }
    const records = await vault.unlock(password)
    if (remember === undefined) return { unlocked: true, records }
    const held = vault.keys.heldPasswordKey()
    if (held === undefined) throw new LanvaultError("LOCKED", "the vault locked before the quick unlock could be remembered: unlock again")
    try {
      return { unlocked: true, records, remembered: await this.quick.remember(held.passwordKey, { ...this.binding(), salt: held.salt }, remember) }
    } catch (error) {
      if (!(error instanceof LanvaultError && error.code === "KEYCHAIN_UNAVAILABLE")) throw error
      this.deps.logger.warn("quick unlock not remembered", { reason: error.message })
      return { unlocked: true, records, notRemembered: error.message }
    } finally {
      wipe(held.passwordKey)
    }
  }

  /** `lanvault forget`, and every password change or reset on this device. */
  async forget(): Promise<boolean> {
    return this.quick.forget()
  }

  /** A keyset arrived: if the password changed (or the account was reset) elsewhere, the remembered one goes. */
  async forgetIfStale(): Promise<void> {
    const salt = this.quick.rememberedSalt()
    if (salt !== undefined && salt !== this.deps.vault.keys.keyset().kdf.salt) {
      this.deps.logger.info("the account password changed on another device: the quick unlock is forgotten")
      await this.quick.forget()
    }
  }

  state(): QuickUnlockState | undefined {
    return this.quick.state()
  }

  private binding(): QuickUnlockBinding {
    const { vault } = this.deps
    return { accountId: vault.accountId, deviceId: vault.deviceId, salt: vault.keys.keyset().kdf.salt }
  }
}
