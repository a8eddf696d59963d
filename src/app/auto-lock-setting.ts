import { LockedError } from "../errors.js"
import type { MetaTable } from "../account/index.js"
import { checkAutoLockMinutes } from "../vault/index.js"
import type { VaultService } from "../vault/index.js"

/** Where this device keeps the auto-lock chosen in the window or with `lanvault auto-lock` (never synced). */
const AUTO_LOCK_META = "vault.autoLockMinutes"

/** The auto-lock minutes stored on this device, if one was chosen; an unreadable value counts as none. */
export function storedAutoLockMinutes(store: Pick<MetaTable, "getMeta">): number | undefined {
  const raw = store.getMeta(AUTO_LOCK_META)
  if (raw === undefined) return undefined
  try {
    return checkAutoLockMinutes(Number(raw))
  } catch {
    return undefined
  }
}

/**
 * `settings.autoLock`: the vault locks after `minutes` idle (0 = never), from now on
 * and after a restart of the daemon (a `--auto-lock` given at start wins for that run).
 * Only with the vault unlocked: whoever holds a locked device must not be able to make
 * it stay open after its owner's next unlock.
 */
export function setAutoLock(deps: { vault: Pick<VaultService, "setAutoLockMinutes" | "locked">; store: Pick<MetaTable, "setMeta"> }, minutes: unknown): { autoLockMinutes: number } {
  if (deps.vault.locked) throw new LockedError()
  const checked = checkAutoLockMinutes(minutes)
  deps.vault.setAutoLockMinutes(checked)
  deps.store.setMeta(AUTO_LOCK_META, String(checked))
  return { autoLockMinutes: checked }
}
