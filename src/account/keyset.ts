import { concatBytes, fromBase64, open, seal, toBase64, u64be, utf8, type KdfParams } from "../crypto/index.js"
import { CorruptDataError, DecryptionError } from "../errors.js"

/** Every epoch's vault key, in the clear: only ever in memory while unlocked. */
export interface VaultKeys {
  currentEpoch: number
  keys: Map<number, Uint8Array>
}

/** The keyset as stored and synced: vault keys wrapped under the two-secret key. */
export interface WrappedKeyset {
  format: "lanvault-keyset"
  v: 1
  /** Bumped on every re-wrap (password change, revoke); peers adopt the highest. */
  version: number
  kdf: KdfParams
  /**
   * The epoch ids it holds keys for (ids only, no key): a device that takes a
   * peer's keyset sees without any secret whether ours held an epoch it lacks.
   */
  epochs?: number[]
  /** XChaCha20-Poly1305 of the JSON `{currentEpoch, keys: {epoch: base64}}`. */
  wrapped: string
}

const KEYSET_AD = "lanvault keyset v1"

function associatedData(accountId: Uint8Array, version: number, kdf: KdfParams): Uint8Array {
  return concatBytes(utf8(KEYSET_AD), accountId, u64be(version), utf8(JSON.stringify(kdf)))
}

/** Wraps the vault keys; the version and KDF parameters are bound as associated data. */
export function wrapKeyset(keys: VaultKeys, unlockKey: Uint8Array, accountId: Uint8Array, version: number, kdf: KdfParams): Uint8Array {
  const plain = utf8(JSON.stringify({
    currentEpoch: keys.currentEpoch,
    keys: Object.fromEntries([...keys.keys].map(([epoch, key]) => [epoch, toBase64(key)])),
  }))
  const wrapped = seal(unlockKey, plain, associatedData(accountId, version, kdf))
  plain.fill(0)
  const epochs = [...keys.keys.keys()].sort((a, b) => a - b)
  const keyset: WrappedKeyset = { format: "lanvault-keyset", v: 1, version, kdf, epochs, wrapped: toBase64(wrapped) }
  return utf8(JSON.stringify(keyset))
}

/** Whether `keyset` holds a key for every epoch `other` does (by their public epoch lists). */
export function holdsEpochsOf(keyset: WrappedKeyset, other: WrappedKeyset): boolean {
  const mine = new Set(keyset.epochs ?? [])
  return (other.epochs ?? []).every((epoch) => mine.has(epoch))
}

/** Reads the public part of a stored keyset (version, KDF parameters, epoch ids) without any key. */
export function parseKeyset(blob: Uint8Array): WrappedKeyset {
  let parsed: WrappedKeyset
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(blob)) as WrappedKeyset
  } catch (cause) {
    throw new CorruptDataError("the stored keyset is not readable", { cause })
  }
  const kdf = parsed?.kdf
  if (parsed?.format !== "lanvault-keyset" || parsed.v !== 1 || !Number.isSafeInteger(parsed.version) ||
    kdf?.alg !== "scrypt" || typeof kdf.salt !== "string" || typeof parsed.wrapped !== "string" ||
    (parsed.epochs !== undefined && !(Array.isArray(parsed.epochs) && parsed.epochs.every((e) => Number.isSafeInteger(e))))) {
    throw new CorruptDataError("the stored keyset has an unknown format")
  }
  return parsed
}

/** Unwraps the vault keys; a wrong password or account key throws {@link DecryptionError}. */
export function unwrapKeyset(keyset: WrappedKeyset, unlockKey: Uint8Array, accountId: Uint8Array): VaultKeys {
  const plain = open(unlockKey, fromBase64(keyset.wrapped), associatedData(accountId, keyset.version, keyset.kdf))
  try {
    const parsed = JSON.parse(new TextDecoder().decode(plain)) as { currentEpoch: number; keys: Record<string, string> }
    const keys = new Map(Object.entries(parsed.keys).map(([epoch, key]) => [Number(epoch), fromBase64(key)]))
    if (!keys.has(parsed.currentEpoch)) throw new DecryptionError("the keyset lacks its current epoch's key")
    if (keyset.epochs !== undefined && (keyset.epochs.length !== keys.size || !keyset.epochs.every((e) => keys.has(e)))) {
      throw new DecryptionError("the keyset's epoch list does not match its keys")
    }
    return { currentEpoch: parsed.currentEpoch, keys }
  } finally {
    plain.fill(0)
  }
}
