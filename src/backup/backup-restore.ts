import { META } from "../account/account.js"
import { checkKdfCost, parseKeyset, unwrapKeyset } from "../account/keyset.js"
import { ACCOUNT_KEY_BYTES, deriveTrustKey, deriveUnlockKey, equalBytes, fromHex, toHex, TRUST_ROOT_EPOCH, wipe } from "../crypto/index.js"
import { DecryptionError, InvalidParamsError, LanvaultError, WrongPasswordError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { verifyEntry, type LogEntry } from "../store/log-entry.js"
import type { TrustEntry } from "../store/vault-store.js"
import { authenticateHeader } from "./backup-authenticity.js"
import type { Backup } from "./backup-format.js"
import type { RestoreTarget } from "./ports.js"

/** The secrets and the choice a restore needs. */
export interface RestoreArgs {
  /** The account password as it was when the backup was made. */
  password: string
  /** The account key (16 bytes) as it was when the backup was made. */
  accountKey: Uint8Array
  /** Wipe the vault and put the backup's content instead of merging. */
  replace?: boolean
  /** The store's account generation (default: its meta); a merge needs the backup's to equal it. */
  currentGeneration?: number
}

/** A device whose entries a merge left out, and why. */
export interface SkippedDevice {
  deviceId: string
  reason: string
}

/** What a restore did. */
export interface RestoreResult {
  /** Entries newly stored. */
  restoredEntries: number
  replaced: boolean
  /** Devices added to the trust list. */
  addedDevices: number
  /** Merge only: devices whose entries conflict with the vault's (the vault's were kept). */
  skippedDevices: SkippedDevice[]
  /** Generation and keyset version of the backup: a caller restoring with replace updates its meta to them. */
  generation: number
  keysetVersion: number
}

/**
 * Restores a parsed backup into a store holding the account `accountId` (as its
 * owner knows it: read once, never from meta here). Refuses another account's backup
 * (NOT_ALLOWED), proves the password and account key by unwrapping the backup's
 * keyset (WRONG_PASSWORD), and checks every entry's signature against the
 * backup's trust list before writing anything. Merge (default) never discards
 * what the vault holds; replace swaps entries, snapshots, keyset and trust list
 * in one transaction. Meta and identity are the caller's.
 */
export async function restoreBackup(
  { store, accountId }: { store: RestoreTarget; accountId: string }, logger: Logger, backup: Backup, args: RestoreArgs,
): Promise<RestoreResult> {
  const { header } = backup
  if (header.accountId !== accountId) {
    throw new LanvaultError("NOT_ALLOWED", "this backup belongs to another account and cannot be restored here")
  }
  const accountIdBytes = fromHex(accountId)
  const trustPublic = await proveSecrets(backup, args, accountIdBytes)
  authenticateHeader(backup, trustPublic)
  // A merge takes the backup's devices into this account: its trust key must be the one this vault knows.
  const held = store.getMeta(META.trustPublicKey)
  if (args.replace !== true && held !== undefined && held !== toHex(trustPublic)) {
    throw new LanvaultError("NOT_ALLOWED", "this backup was made before a reset of the account: use --replace to restore it")
  }
  verifyEntries(backup, accountIdBytes)
  const result = { replaced: args.replace === true, generation: header.generation, keysetVersion: header.keysetVersion }
  if (args.replace === true) {
    const counts = replaceWith(store, backup)
    store.setMeta(META.trustPublicKey, toHex(trustPublic))
    store.setMeta(META.generationSig, header.generationSig!)
    logger.info("restored a backup, replacing the vault", { entries: counts.restoredEntries, createdAt: header.createdAt })
    return { ...result, ...counts, skippedDevices: [] }
  }
  const generation = args.currentGeneration ?? Number(store.getMeta(META.generation) ?? Number.NaN)
  if (header.generation !== generation) {
    throw new LanvaultError("NOT_ALLOWED", "this backup was made before a reset of the account: use --replace to restore it")
  }
  const counts = mergeWith(store, logger, backup)
  logger.info("restored a backup into the vault", { entries: counts.restoredEntries, skipped: counts.skippedDevices.length, createdAt: header.createdAt })
  return { ...result, ...counts }
}

/** Opens the backup's keyset with the secrets (WRONG_PASSWORD if they do not) and returns its trust public key. */
async function proveSecrets(backup: Backup, args: RestoreArgs, accountId: Uint8Array): Promise<Uint8Array> {
  if (typeof args.password !== "string") throw new InvalidParamsError("a restore needs the account password")
  if (!(args.accountKey instanceof Uint8Array) || args.accountKey.length !== ACCOUNT_KEY_BYTES) {
    throw new InvalidParamsError(`a restore needs the account key (${ACCOUNT_KEY_BYTES} bytes)`)
  }
  const keyset = parseKeyset(backup.keyset)
  checkKdfCost(keyset.kdf)
  const unlockKey = await deriveUnlockKey(args.password, args.accountKey, accountId, keyset.kdf)
  try {
    const keys = unwrapKeyset(keyset, unlockKey, accountId)
    const root = keys.keys.get(TRUST_ROOT_EPOCH)
    const trust = root === undefined ? undefined : deriveTrustKey(root)
    wipe(trust?.secret, ...keys.keys.values())
    if (trust === undefined) throw new LanvaultError("BACKUP_NOT_AUTHENTIC", "this backup cannot be restored: its keyset lacks the account's first vault key")
    return trust.publicKey
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error
    const wrong = new WrongPasswordError()
    wrong.message = "wrong password or account key for this backup (it needs the ones in use when it was made)"
    throw wrong
  } finally {
    wipe(unlockKey)
  }
}

/** BadSignatureError on the first entry its device did not sign: nothing is written then. */
function verifyEntries(backup: Backup, accountId: Uint8Array): void {
  const keys = new Map(backup.trust.map((t) => [t.deviceId, t.signPublic]))
  for (const entry of backup.entries) verifyEntry(entry, accountId, keys.get(entry.deviceId) as Uint8Array)
}

/**
 * Replaces the vault with the backup, except this device's own log past the
 * backup (same generation): the other devices already hold those entries, so
 * dropping them would make this device reuse their (device, seq) pairs for new,
 * different entries (issue 11 item 5). They stay, and later entries follow them.
 */
function replaceWith(store: RestoreTarget, backup: Backup): { restoredEntries: number; addedDevices: number } {
  return store.transaction(() => {
    const identity = store.getIdentity()
    const self = identity === undefined ? undefined : store.getTrust(identity.deviceId)
    const sameGeneration = Number(store.getMeta(META.generation) ?? Number.NaN) === backup.header.generation
    const ownAfter = identity !== undefined && sameGeneration ? store.entriesOf(identity.deviceId, ownHead(backup, identity.deviceId)) : []
    store.wipeAccountData()
    store.clearSnapshots()
    store.putKeyset(backup.header.keysetVersion, backup.keyset)
    for (const trust of backup.trust) store.putTrust(trust)
    // A backup made before this device joined: it stays trusted by itself.
    if (self !== undefined && !backup.trust.some((t) => t.deviceId === self.deviceId)) store.putTrust(self)
    const { inserted } = store.insertEntries(backup.entries)
    if (ownAfter.length > 0) store.insertEntries(ownAfter)
    return { restoredEntries: inserted.length, addedDevices: backup.trust.length }
  })
}

function ownHead(backup: Backup, deviceId: string): number {
  return backup.entries.reduce((head, entry) => (entry.deviceId === deviceId && entry.seq > head ? entry.seq : head), 0)
}

function mergeWith(store: RestoreTarget, logger: Logger, backup: Backup): { restoredEntries: number; addedDevices: number; skippedDevices: SkippedDevice[] } {
  return store.transaction(() => {
    let addedDevices = 0
    for (const trust of backup.trust) {
      if (store.getTrust(trust.deviceId) !== undefined) continue
      store.putTrust(trust)
      addedDevices++
    }
    // Only a higher version is taken: a newer keyset (a password changed since) is never replaced.
    store.putKeyset(backup.header.keysetVersion, backup.keyset)
    const skippedDevices: SkippedDevice[] = []
    let restoredEntries = 0
    for (const [deviceId, entries] of byDevice(backup.entries)) {
      const reason = conflictOf(store.getTrust(deviceId), backup.trust.find((t) => t.deviceId === deviceId))
      if (reason !== undefined) {
        skippedDevices.push({ deviceId, reason })
        continue
      }
      try {
        restoredEntries += store.insertEntries(entries).inserted.length
      } catch (error) {
        if (!(error instanceof LanvaultError) || (error.code !== "CORRUPT_DATA" && error.code !== "SEQUENCE_GAP")) throw error
        logger.warn("a device's entries in the backup conflict with the vault's; the vault's were kept", { deviceId, ...errorFields(error) })
        skippedDevices.push({ deviceId, reason: "its entries conflict with the ones this vault holds" })
      }
    }
    return { restoredEntries, addedDevices, skippedDevices }
  })
}

function conflictOf(held: TrustEntry | undefined, backup: TrustEntry | undefined): string | undefined {
  if (held === undefined || backup === undefined) return undefined
  return equalBytes(held.signPublic, backup.signPublic) ? undefined : "the vault knows this device with another key"
}

function byDevice(entries: readonly LogEntry[]): Map<string, LogEntry[]> {
  const groups = new Map<string, LogEntry[]>()
  for (const entry of entries) {
    const group = groups.get(entry.deviceId)
    if (group === undefined) groups.set(entry.deviceId, [entry])
    else group.push(entry)
  }
  return groups
}
