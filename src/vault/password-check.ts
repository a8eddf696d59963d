import { combineUnlockKey, passwordKey, wipe } from "../crypto/index.js"
import { DecryptionError, LanvaultError, TooManyAttemptsError, WrongPasswordError } from "../errors.js"
import type { Logger } from "../log.js"
import {
  HINT_AFTER_FAILURES, META, parseStoredHint, readAccountKey, retryAfterMs, unwrapKeyset, type MetaTable, type ThrottleState, type VaultKeys, type WrappedKeyset,
} from "../account/index.js"

export interface PasswordCheckDeps {
  store: MetaTable
  home: string
  logger: Logger
}

/**
 * Checks account passwords one at a time, throttled: each check reads the
 * failure count the previous one wrote, so concurrent wrong passwords (unlock,
 * password change) each count. From the third failure on, the error carries
 * this device's hint for the current password.
 */
export class PasswordCheck {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: PasswordCheckDeps, private readonly now: () => number = Date.now) {}

  /** Runs `task` after every earlier one has finished (whatever their outcome). */
  serially<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task)
    this.queue = next.catch(() => undefined)
    return next
  }

  /**
   * Derives the password key and unwraps `keyset` with it and this device's
   * account key: WRONG_PASSWORD (counted) or TOO_MANY_ATTEMPTS. Call it inside
   * {@link serially}. The caller owns (and wipes) the returned keys and password key.
   */
  async unwrap(password: string, keyset: WrappedKeyset, accountId: Uint8Array): Promise<{ keys: VaultKeys; slow: Uint8Array }> {
    if (typeof password !== "string" || password.length === 0) throw new LanvaultError("INVALID_PARAMS", "a password is required")
    const throttle = this.throttleState()
    const wait = retryAfterMs(throttle, this.now())
    if (wait > 0) throw new TooManyAttemptsError(wait)
    const slow = await passwordKey(password, keyset.kdf)
    const unlockKey = combineUnlockKey(slow, readAccountKey(this.deps.home), accountId)
    try {
      const keys = unwrapKeyset(keyset, unlockKey, accountId)
      if (throttle.failures > 0) this.deps.store.deleteMeta(META.throttle)
      return { keys, slow }
    } catch (error) {
      wipe(slow)
      if (!(error instanceof DecryptionError)) throw error
      const failures = throttle.failures + 1
      this.deps.store.setMeta(META.throttle, JSON.stringify({ failures, lastFailureAt: this.now() }))
      this.deps.logger.warn("wrong password", { failures })
      throw new WrongPasswordError(failures >= HINT_AFTER_FAILURES ? this.hint(keyset) : undefined)
    } finally {
      wipe(unlockKey)
    }
  }

  /** This device's hint, if it was written for the current password (see StoredHint). */
  private hint(keyset: WrappedKeyset): string | undefined {
    const stored = parseStoredHint(this.deps.store.getMeta(META.hint))
    return stored?.salt === keyset.kdf.salt ? stored.text : undefined
  }

  private throttleState(): ThrottleState {
    try {
      const parsed = JSON.parse(this.deps.store.getMeta(META.throttle) ?? "null") as ThrottleState | null
      return parsed ?? { failures: 0, lastFailureAt: 0 }
    } catch {
      return { failures: 0, lastFailureAt: 0 }
    }
  }
}
