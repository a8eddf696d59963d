import {
  accountKeyDigest, concatBytes, deriveTrustKey, fromBase64, open, seal, sign, toBase64, TRUST_ROOT_EPOCH, u64be, utf8, verify, wipe,
  type KdfParams,
} from "../crypto/index.js"
import { CorruptDataError, DecryptionError, LanvaultError } from "../errors.js"

/** Bounds on KDF parameters a peer or a backup may ask for: at or above OWASP's scrypt minimum, below exhausting memory. */
const KDF_MIN_LOG2_N = 17
const KDF_MAX_LOG2_N = 20
const KDF_MAX_R = 16
const KDF_MAX_P = 4
const KDF_MIN_SALT_BYTES = 16
const KDF_MAX_SALT_BYTES = 64

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
  /** Digest of the account key that opens it (accountKeyDigest, base64): a key that came with it must match. */
  akDigest?: string
  /**
   * How many times the account key was replaced (a revoke's re-key bumps it;
   * absent = 0). When keysets of two sides of a partition merge, the account key
   * of the highest count wins, so a merge never brings back a revoked key (issue 11 item 6).
   */
  akSerial?: number
  /** XChaCha20-Poly1305 of the JSON `{currentEpoch, keys: {epoch: base64}}`. */
  wrapped: string
  /**
   * Ed25519 signature (base64) by the account's trust key over every other
   * field: only a device that opened the keyset (knows the password) makes one.
   */
  sig?: string
}

const KEYSET_SIG_CONTEXT = "lanvault keyset sig v1"

const KEYSET_AD = "lanvault keyset v1"

function associatedData(accountId: Uint8Array, version: number, kdf: KdfParams): Uint8Array {
  return concatBytes(utf8(KEYSET_AD), accountId, u64be(version), utf8(JSON.stringify(kdf)))
}

/**
 * Wraps the vault keys; the version and KDF parameters are bound as associated
 * data. With `accountKey` it names that key by digest and is signed by the
 * trust key of the root epoch, so peers can tell it was made by an unlocked device.
 */
export function wrapKeyset(
  keys: VaultKeys, unlockKey: Uint8Array, accountId: Uint8Array, version: number, kdf: KdfParams, accountKey?: Uint8Array, akSerial?: number,
): Uint8Array {
  const plain = utf8(JSON.stringify({
    currentEpoch: keys.currentEpoch,
    keys: Object.fromEntries([...keys.keys].map(([epoch, key]) => [epoch, toBase64(key)])),
  }))
  const wrapped = seal(unlockKey, plain, associatedData(accountId, version, kdf))
  plain.fill(0)
  const epochs = [...keys.keys.keys()].sort((a, b) => a - b)
  const keyset: WrappedKeyset = { format: "lanvault-keyset", v: 1, version, kdf, epochs, wrapped: toBase64(wrapped) }
  if (akSerial !== undefined && akSerial > 0) keyset.akSerial = akSerial
  const root = keys.keys.get(TRUST_ROOT_EPOCH)
  if (accountKey !== undefined && root !== undefined) {
    keyset.akDigest = toBase64(accountKeyDigest(accountKey))
    const trust = deriveTrustKey(root)
    keyset.sig = toBase64(sign(trust.secret, signedPart(keyset, accountId)))
    wipe(trust.secret)
  }
  return utf8(JSON.stringify(keyset))
}

/** The bytes a keyset's signature covers: every field but `sig`, in one fixed order. */
function signedPart(keyset: WrappedKeyset, accountId: Uint8Array): Uint8Array {
  const { alg, N, r, p, salt } = keyset.kdf
  const fields = {
    format: keyset.format, v: keyset.v, version: keyset.version, kdf: { alg, N, r, p, salt }, epochs: keyset.epochs ?? null,
    akDigest: keyset.akDigest ?? null, wrapped: keyset.wrapped,
    // Only when set, so keysets made before it keep their signatures.
    ...(keyset.akSerial === undefined ? {} : { akSerial: keyset.akSerial }),
  }
  return concatBytes(utf8(KEYSET_SIG_CONTEXT), accountId, utf8(JSON.stringify(fields)))
}

/** Whether the keyset is signed by the account's trust key and names `accountKey` (when given). */
export function keysetSignedBy(keyset: WrappedKeyset, accountId: Uint8Array, trustPublic: Uint8Array, accountKey?: Uint8Array): boolean {
  if (keyset.sig === undefined || keyset.akDigest === undefined) return false
  if (accountKey !== undefined && toBase64(accountKeyDigest(accountKey)) !== keyset.akDigest) return false
  try {
    verify(trustPublic, signedPart(keyset, accountId), fromBase64(keyset.sig))
    return true
  } catch {
    return false
  }
}

/** Refuses KDF parameters a peer or a backup may not impose: too weak to resist guessing, or so costly they exhaust memory. */
export function checkKdfBounds(kdf: KdfParams): void {
  const log2N = Math.log2(kdf.N)
  const salt = typeof kdf.salt === "string" ? Buffer.from(kdf.salt, "base64").length : 0
  if (kdf.alg !== "scrypt" || !Number.isInteger(log2N) || log2N < KDF_MIN_LOG2_N || log2N > KDF_MAX_LOG2_N ||
    !Number.isInteger(kdf.r) || kdf.r < 8 || kdf.r > KDF_MAX_R || !Number.isInteger(kdf.p) || kdf.p < 1 || kdf.p > KDF_MAX_P ||
    salt < KDF_MIN_SALT_BYTES || salt > KDF_MAX_SALT_BYTES) {
    throw new LanvaultError("PROTOCOL_ERROR", "the keyset asks for KDF parameters out of bounds (scrypt N 2^17 to 2^20, r 8 to 16, p 1 to 4)")
  }
}

/**
 * Refuses KDF parameters whose cost could exhaust memory or time (a keyset from a
 * file: a backup). Unlike {@link checkKdfBounds} it takes a weak one: that only fails to open.
 */
export function checkKdfCost(kdf: KdfParams): void {
  const n = Number(kdf.N), r = Number(kdf.r), p = Number(kdf.p)
  if (!(n >= 2 && n <= 2 ** KDF_MAX_LOG2_N && r >= 1 && r <= KDF_MAX_R && p >= 1 && p <= KDF_MAX_P)) {
    throw new LanvaultError("CORRUPT_DATA", "the keyset asks for a KDF cost out of bounds (scrypt N up to 2^20, r up to 16, p up to 4)")
  }
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
    (parsed.epochs !== undefined && !(Array.isArray(parsed.epochs) && parsed.epochs.every((e) => Number.isSafeInteger(e)))) ||
    (parsed.akDigest !== undefined && typeof parsed.akDigest !== "string") ||
    (parsed.akSerial !== undefined && !(Number.isSafeInteger(parsed.akSerial) && parsed.akSerial >= 0)) || (parsed.sig !== undefined && typeof parsed.sig !== "string")) {
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
