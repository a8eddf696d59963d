import { existsSync, rmSync } from "node:fs"
import { hostname } from "node:os"
import {
  DEFAULT_KDF, deriveTrustKey, deriveUnlockKey, TRUST_ROOT_EPOCH, signPublicKey, x25519PublicKey, formatAccountKey, generateAccountKey, generateDeviceKeys, randomBytes, toBase64, toHex, wipe,
  type KdfParams,
} from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { requireStrongPassword } from "../health/password-strength.js"
import { accountIdBytes } from "./account-context.js"
import { META } from "./meta-keys.js"
import { DEFAULT_BUCKET_COUNT } from "../merge/bucket.js"
import { signAdd, signGeneration, SqliteStore } from "../store/index.js"
import type { AccountStore } from "./ports.js"
import { ensureHome, readAccountKey, writeAccountKey } from "./account-files.js"
import { AsideKeysets } from "./aside-keysets.js"
import { homePaths } from "./home.js"
import { checkHint, type StoredHint } from "./password-hint.js"
import { wrapKeyset, type VaultKeys } from "./keyset.js"

const MIN_PASSWORD_CHARS = 8
const VAULT_KEY_BYTES = 32
const ID_BYTES = 16

export { META } from "./meta-keys.js"

export interface NewAccount {
  accountKey: string
  accountId: string
  deviceId: string
  deviceName: string
}

/** How a new account password was chosen: the person may keep a weak one on purpose, and leave a hint. */
export interface NewPasswordOptions {
  /** Keep a password the strength estimate calls weak (`--allow-weak`). */
  allowWeak?: boolean
  /** An optional reminder shown after repeated wrong passwords; never the password itself. */
  hint?: string
  /** Words an attacker would try first (the device name). */
  context?: readonly string[]
}

/**
 * Refuses passwords too short or too easy to guess (WEAK_PASSWORD unless
 * `allowWeak`), and a hint that gives the password away; never echoes them.
 * Returns the hint to keep, if any.
 */
export function checkNewPassword(password: string, options: NewPasswordOptions = {}): string | undefined {
  if (typeof password !== "string" || [...password].length < MIN_PASSWORD_CHARS) {
    throw new LanvaultError("INVALID_PARAMS", `the account password must have at least ${MIN_PASSWORD_CHARS} characters`)
  }
  const hint = checkHint(options.hint, password)
  requireStrongPassword(password, { allowWeak: options.allowWeak, context: options.context })
  return hint
}

/** The stored form of a hint for the password whose KDF salt is `salt`. */
export function hintMeta(text: string, salt: string): string {
  const stored: StoredHint = { text, salt }
  return JSON.stringify(stored)
}

/** Creates an account in an empty home: keys, keyset, trust list of one; prints nothing. */
export async function createAccount(args: { home: string; name?: string; password: string } & NewPasswordOptions): Promise<NewAccount> {
  const hint = checkNewPassword(args.password, { ...args, context: [args.name ?? hostname()] })
  ensureHome(args.home)
  const paths = homePaths(args.home)
  if (existsSync(paths.accountKey)) {
    throw new LanvaultError("ACCOUNT_EXISTS", `${args.home} already holds an account: use another --home, or \`lanvault reset\` to start over`)
  }
  const store = SqliteStore.open(paths.database)
  try {
    if (store.getMeta(META.accountId)) {
      throw new LanvaultError("ACCOUNT_EXISTS", `${args.home} already holds an account: use another --home, or \`lanvault reset\` to start over`)
    }
    return await writeFreshAccount(store, args.home, {
      accountId: toHex(randomBytes(ID_BYTES)),
      deviceName: args.name?.trim() || hostname(),
      password: args.password,
      hint,
    })
  } finally {
    store.close()
  }
}

/**
 * Fills a store with a fresh account (or a reset one: same account id): a new
 * device identity, account key, vault key (epoch 1), keyset version 1 and a
 * trust list holding only this device. The account key file is written last but
 * one step: a crash before it leaves a home that `init` can redo.
 */
export async function writeFreshAccount(
  store: AccountStore,
  home: string,
  args: { accountId: string; deviceName: string; password: string; keepIdentity?: boolean; hint?: string },
): Promise<NewAccount> {
  const accountKey = generateAccountKey()
  const kept = args.keepIdentity ? store.getIdentity() : undefined
  const keys = kept ? deviceKeysOf(kept.signSecret, kept.dhSecret) : generateDeviceKeys()
  const deviceId = kept?.deviceId ?? toHex(randomBytes(ID_BYTES))
  const vaultKeys: VaultKeys = { currentEpoch: 1, keys: new Map([[1, randomBytes(VAULT_KEY_BYTES)]]) }
  const kdf: KdfParams = { ...DEFAULT_KDF, salt: toBase64(randomBytes(16)) }
  const idBytes = accountIdBytes(args.accountId)
  const unlockKey = await deriveUnlockKey(args.password, accountKey, idBytes, kdf)
  const keyset = wrapKeyset(vaultKeys, unlockKey, idBytes, 1, kdf, accountKey)
  const trustKey = deriveTrustKey(vaultKeys.keys.get(TRUST_ROOT_EPOCH)!)
  const now = Date.now()
  store.transaction(() => {
    store.wipeAccountData()
    store.setIdentity({ deviceId, signSecret: keys.signSecret, dhSecret: keys.dhSecret })
    store.setMeta(META.accountId, args.accountId)
    store.setMeta(META.generation, String(Number(store.getMeta(META.generation) ?? 0) + 1))
    store.setMeta(META.deviceName, args.deviceName)
    store.setMeta(META.bucketCount, String(DEFAULT_BUCKET_COUNT))
    store.setMeta(META.createdAt, String(now))
    store.deleteMeta(META.throttle)
    if (args.hint === undefined) store.deleteMeta(META.hint)
    else store.setMeta(META.hint, hintMeta(args.hint, kdf.salt))
    store.putKeyset(1, keyset)
    store.setMeta(META.trustPublicKey, toHex(trustKey.publicKey))
    const self = { deviceId, name: args.deviceName, signPublic: keys.signPublic, dhPublic: keys.dhPublic, addedAt: now }
    store.putTrust({ ...self, addSig: signAdd(trustKey.secret, idBytes, self) })
    store.setMeta(META.generationSig, toBase64(signGeneration(trustKey.secret, idBytes, Number(store.getMeta(META.generation)))))
  })
  writeAccountKey(home, accountKey)
  // Old key material leaves the home: keysets kept aside, a half-done re-key, the WAL's copies.
  new AsideKeysets(home).clear()
  rmSync(homePaths(home).accountKeyNext, { force: true })
  store.checkpoint?.()
  const formatted = formatAccountKey(accountKey)
  wipe(unlockKey, accountKey, keys.signSecret, keys.dhSecret, trustKey.secret, ...vaultKeys.keys.values())
  return { accountKey: formatted, accountId: args.accountId, deviceId, deviceName: args.deviceName }
}

/**
 * Reset (DESIGN §2): wipes this device's vault, makes a new account key, vault
 * key and password and bumps the account's generation; the account id and this
 * device's keys stay, so the other devices (which trust those keys) can be told,
 * authentically, that the account was reset — and are refused until they join again.
 */
export async function resetAccountInStore(store: AccountStore, home: string, password: string, options: NewPasswordOptions = {}): Promise<NewAccount> {
  const accountId = store.getMeta(META.accountId)
  if (!accountId) throw new LanvaultError("NO_ACCOUNT", `${home} holds no account: run \`lanvault init\``)
  const deviceName = store.getMeta(META.deviceName) ?? hostname()
  const hint = checkNewPassword(password, { ...options, context: [deviceName] })
  store.clearSnapshots()
  return writeFreshAccount(store, home, { accountId, deviceName, password, keepIdentity: true, hint })
}

/** `lanvault reset` when no daemon runs. */
export async function resetAccountOffline(args: { home: string; password: string } & NewPasswordOptions): Promise<{ accountKey: string; accountId: string }> {
  const paths = homePaths(args.home)
  if (!existsSync(paths.database)) throw new LanvaultError("NO_ACCOUNT", `${args.home} holds no account: run \`lanvault init\``)
  const store = SqliteStore.open(paths.database)
  try {
    const result = await resetAccountInStore(store, args.home, args.password, args)
    return { accountKey: result.accountKey, accountId: result.accountId }
  } finally {
    store.close()
  }
}

/** What the emergency kit shows, read from a home no daemon holds: the formatted account key and the device name. */
export function readKitFacts(home: string): { accountKey: string; deviceName: string } {
  const accountKey = formatAccountKey(readAccountKey(home))
  const store = SqliteStore.open(homePaths(home).database)
  try {
    return { accountKey, deviceName: store.getMeta(META.deviceName) ?? hostname() }
  } finally {
    store.close()
  }
}

function deviceKeysOf(signSecret: Uint8Array, dhSecret: Uint8Array) {
  return { signSecret: signSecret.slice(), signPublic: signPublicKey(signSecret), dhSecret: dhSecret.slice(), dhPublic: x25519PublicKey(dhSecret) }
}

export { readAccountKey }
