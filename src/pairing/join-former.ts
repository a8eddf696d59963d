import { existsSync } from "node:fs"
import { homePaths, type VaultKeys } from "../account/index.js"
import { inspectFormer, keepFormerVault, unlockFormer, type FormerInspection, type KeptVault } from "../backup/index.js"
import { fromHex, wipe } from "../crypto/index.js"
import { SqliteStore } from "../store/index.js"

/** Tries of the old password before the former vault is only kept as a backup. */
const OLD_PASSWORD_ATTEMPTS = 3

/** The former vault's keys, when its old password was given before pairing. */
export interface FormerKeys {
  keys: VaultKeys | undefined
}

/**
 * Before pairing: if the home holds a vault, asks for its password (`ask(attempt)`,
 * undefined = not given) until it opens it, up to three times. The keys are held
 * only until the vault is kept after the welcome ({@link keepFormer}).
 */
export async function unlockFormerVault(
  home: string, lockHome: (lockPath: string) => { release(): void }, ask: ((attempt: number) => Promise<string | undefined>) | undefined,
): Promise<FormerKeys> {
  const paths = homePaths(home)
  if (ask === undefined || !existsSync(paths.database)) return { keys: undefined }
  const former = readFormer(home, lockHome)
  if (former?.accountKey === undefined) return { keys: undefined }
  for (let attempt = 1; attempt <= OLD_PASSWORD_ATTEMPTS; attempt++) {
    const password = await ask(attempt)
    if (password === undefined) return { keys: undefined }
    const keys = await unlockFormer(former, password)
    if (keys !== undefined) return { keys }
  }
  return { keys: undefined }
}

/**
 * After the welcome, before the home is overwritten: keeps the vault it holds as
 * an encrypted backup (backup/former-vault.ts), sealed to the joined account's
 * trust key when it is of that account. Undefined if the home holds no vault.
 */
export async function keepFormer(home: string, welcome: { accountId: string; trustPublicKey?: string }, held: FormerKeys): Promise<KeptVault | undefined> {
  const paths = homePaths(home)
  if (!existsSync(paths.database)) return undefined
  const store = SqliteStore.open(paths.database)
  try {
    const former = inspectFormer(store, home)
    if (former === undefined) return undefined
    return await keepFormerVault({
      store, home, former, newAccountId: welcome.accountId, vaultKeys: held.keys, now: Date.now(),
      trustPublic: welcome.trustPublicKey === undefined ? undefined : fromHex(welcome.trustPublicKey),
    })
  } finally {
    store.close()
    if (held.keys !== undefined) wipe(...held.keys.keys.values())
  }
}

function readFormer(home: string, lockHome: (lockPath: string) => { release(): void }): FormerInspection | undefined {
  const paths = homePaths(home)
  const lock = lockHome(paths.lock)
  try {
    const store = SqliteStore.open(paths.database)
    try {
      return inspectFormer(store, home)
    } finally {
      store.close()
    }
  } finally {
    lock.release()
  }
}
