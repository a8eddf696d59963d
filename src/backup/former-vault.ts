import { join } from "node:path"
import { META } from "../account/account.js"
import { accountIdBytes } from "../account/account-context.js"
import { readAccountKey } from "../account/account-files.js"
import { parseKeyset, unwrapKeyset, type VaultKeys, type WrappedKeyset } from "../account/keyset.js"
import { deriveUnlockKey, fromBase64, openWithTrustKey, sealToTrustKey, toBase64, utf8, wipe } from "../crypto/index.js"
import { DecryptionError, InvalidParamsError, LanvaultError, WrongPasswordError } from "../errors.js"
import { verifyEntry } from "../store/log-entry.js"
import type { Backup, FormerVault } from "./backup-format.js"
import { writeBackupFile } from "./backup-files.js"
import { gatherBackup } from "./backup-gather.js"
import type { BackupSource } from "./ports.js"

const ACCOUNT_KEY_CONTEXT = "former account key"
const VAULT_KEYS_CONTEXT = "former vault keys"
const DEFAULT_BUCKET_COUNT = 64

/** The account a home's vault holds before `join` replaces it, and what opening it takes. */
export interface FormerInspection {
  accountId: string
  keyset: WrappedKeyset
  /** The old account key (account.key); undefined if the home has none. */
  accountKey: Uint8Array | undefined
}

/** Where `join` kept the former vault. */
export interface KeptVault {
  path: string
  /** Of the account joined (a vault from before its reset): `backup restore` brings its records in. */
  sameAccount: boolean
  /** Its vault keys are sealed in too: the first unlock brings its records in, no password asked. */
  pending: boolean
}

/** What the store of a home holds, if it holds an account with a keyset. */
export function inspectFormer(store: Pick<BackupSource, "getMeta" | "getKeyset">, home: string): FormerInspection | undefined {
  const accountId = store.getMeta(META.accountId)
  const row = store.getKeyset()
  if (accountId === undefined || row === undefined) return undefined
  let accountKey: Uint8Array | undefined
  try {
    accountKey = readAccountKey(home)
  } catch {
    accountKey = undefined
  }
  return { accountId, keyset: parseKeyset(row.blob), accountKey }
}

/** The former vault's keys if `password` opens it (with its account key); undefined otherwise. */
export async function unlockFormer(former: FormerInspection, password: string): Promise<VaultKeys | undefined> {
  if (former.accountKey === undefined) return undefined
  const unlockKey = await deriveUnlockKey(password, former.accountKey, accountIdBytes(former.accountId), former.keyset.kdf)
  try {
    return unwrapKeyset(former.keyset, unlockKey, accountIdBytes(former.accountId))
  } catch (error) {
    if (error instanceof DecryptionError) return undefined
    throw error
  } finally {
    wipe(unlockKey)
  }
}

/**
 * Writes the vault in `store` as a backup in `<home>/backups` before `join`
 * replaces it. Of the account joined (same id) and with its trust key known, the
 * old account key (and `vaultKeys` when the old password opened them) are sealed
 * to that trust key and the file is `former-<time>.lvbackup`; another account's
 * vault is kept as `other-account-<time>.lvbackup`. Neither is ever pruned.
 */
export async function keepFormerVault(args: {
  store: BackupSource
  home: string
  former: FormerInspection
  newAccountId: string
  trustPublic: Uint8Array | undefined
  vaultKeys: VaultKeys | undefined
  now: number
}): Promise<KeptVault> {
  const { former, trustPublic } = args
  const sameAccount = former.accountId === args.newAccountId && trustPublic !== undefined && former.accountKey !== undefined
  let section: FormerVault | undefined
  if (sameAccount) {
    section = {
      accountKey: toBase64(await sealToTrustKey(trustPublic, former.accountKey!, ACCOUNT_KEY_CONTEXT)),
      bucketCount: Number(args.store.getMeta(META.bucketCount) ?? DEFAULT_BUCKET_COUNT),
    }
    if (args.vaultKeys !== undefined) section.vaultKeys = toBase64(await sealToTrustKey(trustPublic, encodeKeys(args.vaultKeys), VAULT_KEYS_CONTEXT))
  }
  const { chunks } = gatherBackup(args.store, former.accountId, args.now, section === undefined ? {} : { former: section })
  const { path } = await writeBackupFile(join(args.home, "backups"), args.now, chunks, sameAccount ? "former" : "other-account")
  return { path, sameAccount, pending: section?.vaultKeys !== undefined }
}

/**
 * The vault keys of a former vault, opened with the account's trust secret
 * (an unlocked device's): the sealed keys, or with `password` the old account
 * key and the backup's own keyset. WRONG_PASSWORD for a password that does not
 * open it; NOT_ALLOWED if it was sealed for another account (a reset since).
 * Checks every entry's signature against the backup's trust list.
 */
export async function openFormerKeys(backup: Backup, trustSecret: Uint8Array, password: string | undefined): Promise<VaultKeys> {
  const { former, accountId } = backup.header
  if (former === undefined) throw new InvalidParamsError("this backup is not a vault kept from before a reset")
  const idBytes = accountIdBytes(accountId)
  const byDevice = new Map(backup.trust.map((t) => [t.deviceId, t.signPublic]))
  for (const entry of backup.entries) verifyEntry(entry, idBytes, byDevice.get(entry.deviceId) as Uint8Array)
  if (password === undefined) {
    if (former.vaultKeys === undefined) throw new InvalidParamsError("this vault from before the reset needs its old password")
    return decodeKeys(await sealedOpen(trustSecret, former.vaultKeys, VAULT_KEYS_CONTEXT))
  }
  const accountKey = await sealedOpen(trustSecret, former.accountKey, ACCOUNT_KEY_CONTEXT)
  const keys = await unlockFormer({ accountId, keyset: parseKeyset(backup.keyset), accountKey }, password)
  wipe(accountKey)
  if (keys === undefined) {
    const wrong = new WrongPasswordError()
    wrong.message = "wrong password for this vault from before the reset: it needs the account password it had then"
    throw wrong
  }
  return keys
}

async function sealedOpen(trustSecret: Uint8Array, sealed: string, context: string): Promise<Uint8Array> {
  try {
    return await openWithTrustKey(trustSecret, fromBase64(sealed), context)
  } catch (cause) {
    throw new LanvaultError("NOT_ALLOWED", "this vault from before a reset was kept for another reset of the account: it does not open with this account's keys", { cause })
  }
}

function encodeKeys(keys: VaultKeys): Uint8Array {
  return utf8(JSON.stringify({ currentEpoch: keys.currentEpoch, keys: [...keys.keys].map(([epoch, key]) => [epoch, toBase64(key)]) }))
}

function decodeKeys(bytes: Uint8Array): VaultKeys {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { currentEpoch: number; keys: Array<[number, string]> }
    const keys = new Map(parsed.keys.map(([epoch, key]) => [epoch, fromBase64(key)] as [number, Uint8Array]))
    if (!keys.has(parsed.currentEpoch)) throw new Error("no current epoch")
    return { currentEpoch: parsed.currentEpoch, keys }
  } catch (cause) {
    throw new LanvaultError("CORRUPT_DATA", "the sealed keys of this vault from before the reset are malformed", { cause })
  } finally {
    bytes.fill(0)
  }
}
