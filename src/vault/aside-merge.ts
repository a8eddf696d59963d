import { deriveTrustKey, fromBase64, passwordKey, toBase64, toHex, TRUST_ROOT_EPOCH, wipe } from "../crypto/index.js"
import type { Logger } from "../log.js"
import { keysetBeats } from "../store/keyset-rank.js"
import { signGeneration, TrustVerifier, type KeysetRow } from "../store/index.js"
import { checkKdfBounds, holdsEpochsOf, META, parseKeyset, writeAccountKey, type AsideKeysets, type VaultKeys, type WrappedKeyset } from "../account/index.js"
import type { KeyStore } from "./ports.js"

/** What {@link mergeAside} needs from the KeyManager. */
export interface AsideMergeDeps {
  /** The keys the stored keyset opens (held password key). */
  keys: VaultKeys
  aside: AsideKeysets
  store: KeyStore
  logger: Logger
  /** Opens a keyset with the held password key and `accountKey`; undefined if it does not open. */
  open: (keyset: WrappedKeyset, accountKey: Uint8Array) => VaultKeys | undefined
  signedByTrustKey: (keyset: WrappedKeyset, accountKey: Uint8Array) => boolean
  /** Adopts a keyset as is (it holds every epoch). */
  adopt: (version: number, blob: Uint8Array, accountKey: Uint8Array) => boolean
  /** Stores a merged keyset made here; `accountKey` undefined keeps the current one; `akSerial` its re-key count. */
  storeMerged: (merged: VaultKeys, version: number, accountKey: Uint8Array | undefined, akSerial: number) => void
}

interface Top {
  row: KeysetRow
  accountKey: Uint8Array | undefined
  opened: VaultKeys
}

/**
 * Settles the keysets kept aside once the password key is held: each one that
 * opens joins the union of vault keys; if the highest-ranked of them all holds
 * the union it is adopted as is, else the union is stored as the next version
 * under the account key of the most re-keyed side (`akSerial`, then rank: a
 * merge never brings back a key a revoke replaced), so both sides of a
 * partition end with the same key and every epoch. One that neither opens nor
 * bears the trust key's signature is dropped; a signed one made under another
 * password waits (unless it is the password this device replaced: `open` tries
 * the previous password key too).
 */
export function mergeAside(deps: AsideMergeDeps): VaultKeys {
  const row = deps.store.getKeyset()
  if (row === undefined) return deps.keys
  const union = new Map(deps.keys.keys)
  let top: Top = { row, accountKey: undefined, opened: deps.keys }
  const own = tryParse(row.blob)
  let ak: { serial: number; row: KeysetRow; accountKey: Uint8Array | undefined } = { serial: own?.akSerial ?? 0, row, accountKey: undefined }
  let consumed = 0
  deps.aside.retain((aside) => {
    const keyset = tryParse(aside.blob)
    // One that ranks lower is kept only for an epoch ours lacks (the other side of a partition).
    if (keyset === undefined || (!keysetBeats(aside, row) && own !== undefined && holdsEpochsOf(own, keyset))) return false
    const opened = deps.open(keyset, aside.accountKey)
    if (opened === undefined) {
      const waits = deps.signedByTrustKey(keyset, aside.accountKey)
      if (!waits) deps.logger.warn("dropped a keyset kept aside: it neither opens nor bears the account's signature", { deviceId: aside.from, version: aside.version })
      return waits
    }
    consumed += 1
    for (const [epoch, key] of opened.keys) if (!union.has(epoch)) union.set(epoch, key)
    if (keysetBeats(aside, top.row)) top = { row: { version: aside.version, blob: aside.blob }, accountKey: aside.accountKey, opened }
    const serial = keyset.akSerial ?? 0
    if (serial > ak.serial || (serial === ak.serial && keysetBeats(aside, ak.row))) ak = { serial, row: aside, accountKey: aside.accountKey }
    return false
  })
  if (consumed === 0) return deps.keys
  const merged: VaultKeys = { currentEpoch: top.opened.currentEpoch, keys: union }
  if (top.accountKey !== undefined && top.accountKey === ak.accountKey && [...union.keys()].every((epoch) => top.opened.keys.has(epoch))) {
    deps.adopt(top.row.version, top.row.blob, top.accountKey)
    deps.logger.info("adopted a keyset kept aside", { keysetVersion: top.row.version })
    return merged
  }
  if (union.size === deps.keys.keys.size && ak.accountKey === undefined) return deps.keys
  const version = Math.max(row.version, top.row.version) + 1
  deps.storeMerged(merged, version, ak.accountKey, ak.serial)
  deps.logger.info("merged the vault keys of a keyset made on the other side of a partition", { keysetVersion: version, epochs: union.size })
  return merged
}

/** What {@link unlockWithAside} needs from the KeyManager. */
export interface UnlockAsideDeps {
  password: string
  /** The stored keyset, which the password did not open. */
  current: WrappedKeyset
  aside: AsideKeysets
  store: KeyStore
  logger: Logger
  open: (keyset: WrappedKeyset, slow: Uint8Array, accountKey: Uint8Array) => VaultKeys | undefined
  adopt: (version: number, blob: Uint8Array, accountKey: Uint8Array) => boolean
  /** The salt of the password this device replaced: its old password never brings back a keyset under it. */
  replacedSalt?: string
}

/**
 * Tries each keyset kept aside with a password the stored keyset refused (it
 * was changed on another device): the first that opens is adopted. One that
 * lacks an epoch of ours (passwords changed on both sides of a partition) is
 * still adopted, as the person proved its password; our epoch's entries then
 * wait (logged).
 */
export async function unlockWithAside(deps: UnlockAsideDeps): Promise<{ keys: VaultKeys; slow: Uint8Array } | undefined> {
  for (const aside of deps.aside.list()) {
    const keyset = tryParse(aside.blob)
    if (keyset === undefined || keyset.kdf.salt === deps.current.kdf.salt || keyset.kdf.salt === deps.replacedSalt || !keysetBeats(aside, deps.store.getKeyset())) continue
    try {
      checkKdfBounds(keyset.kdf)
    } catch {
      continue
    }
    const slow = await passwordKey(deps.password, keyset.kdf)
    const keys = deps.open(keyset, slow, aside.accountKey)
    if (keys !== undefined && deps.adopt(aside.version, aside.blob, aside.accountKey)) {
      deps.store.deleteMeta(META.throttle)
      const lacking = (deps.current.epochs ?? []).filter((epoch) => !keys.keys.has(epoch))
      if (lacking.length > 0) deps.logger.warn("the password changed on both sides of a partition: entries of this device's last epoch wait for its old password", { epochs: lacking.length })
      deps.logger.info("unlocked with a keyset a peer sent (the password was changed on another device)", { version: aside.version })
      return { keys, slow }
    }
    wipe(slow, ...(keys?.keys.values() ?? []))
  }
  return undefined
}

/**
 * Records the trust public key the opened keys give (a pairing told it; the
 * password proves it), and signs the account's generation when no valid
 * signature is stored yet (a joined device, an older home): backups carry it.
 */
export function noteTrustPublicKey(store: KeyStore, keys: VaultKeys, accountId: Uint8Array): void {
  const root = keys.keys.get(TRUST_ROOT_EPOCH)
  if (root === undefined) return
  const { secret, publicKey } = deriveTrustKey(root)
  if (store.getMeta(META.trustPublicKey) !== toHex(publicKey)) store.setMeta(META.trustPublicKey, toHex(publicKey))
  // The generation is read here, not from a context: a reset or a restore with --replace changes it while the daemon runs.
  const generation = Number(store.getMeta(META.generation) ?? 1)
  const stored = store.getMeta(META.generationSig)
  if (!new TrustVerifier(accountId, () => publicKey).generation(generation, stored === undefined ? undefined : fromBase64(stored))) {
    store.setMeta(META.generationSig, toBase64(signGeneration(secret, accountId, generation)))
  }
  wipe(secret)
}

/**
 * Moves key material older versions kept inside vault.db out of it: a pending
 * account key goes to account.key, orphaned keysets (with their account keys
 * in the clear) to the aside file. vault.db then holds no account key.
 */
export function migrateLegacyKeys(store: KeyStore, aside: AsideKeysets): void {
  const pending = store.getMeta(META.pendingAccountKey)
  const orphans = store.getMeta(META.orphanKeysets)
  if (pending === undefined && orphans === undefined) return
  if (pending !== undefined) writeAccountKey(aside.home, fromBase64(pending))
  try {
    const list = JSON.parse(orphans ?? "[]") as Array<{ blob?: unknown; accountKey?: unknown }>
    list.forEach((orphan, i) => {
      if (typeof orphan?.blob !== "string" || typeof orphan.accountKey !== "string") return
      const blob = fromBase64(orphan.blob)
      const keyset = tryParse(blob)
      if (keyset) aside.put({ from: `legacy-orphan-${i}`, version: keyset.version, blob, accountKey: fromBase64(orphan.accountKey), reason: "legacy orphan" })
    })
  } catch {
    // unreadable legacy orphans are dropped
  }
  store.transaction(() => {
    store.deleteMeta(META.pendingAccountKey)
    store.deleteMeta(META.orphanKeysets)
  })
  store.checkpoint?.()
}

function tryParse(blob: Uint8Array): WrappedKeyset | undefined {
  try {
    return parseKeyset(blob)
  } catch {
    return undefined
  }
}
