import { scrypt } from "node:crypto"
import { concatBytes, wipe } from "./bytes.js"
import { hkdf } from "./hkdf.js"

/** Parameters of the slow password KDF, stored beside the keyset they protect. */
export interface KdfParams {
  alg: "scrypt"
  /** CPU/memory cost (a power of two). */
  N: number
  r: number
  p: number
  /** 16+ random bytes, base64. */
  salt: string
}

/**
 * scrypt N=2^17, r=8, p=1: the OWASP Password Storage minimum for scrypt. Node's
 * native scrypt runs on the libuv thread pool (≈ 0.25 s here), so unlocking never
 * blocks the daemon's event loop; 128 MiB per guess makes GPU guessing costly.
 */
export const DEFAULT_KDF: Omit<KdfParams, "salt"> = { alg: "scrypt", N: 2 ** 17, r: 8, p: 1 }

const DERIVED_KEY_BYTES = 32
const TWO_SECRET_INFO = "lanvault 2skd v1"

/** The slow half: scrypt of the password (RFC 7914). */
export function passwordKey(password: string, params: KdfParams): Promise<Uint8Array> {
  const maxmem = 128 * params.N * params.r * params.p + 64 * 1024 * 1024
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), Buffer.from(params.salt, "base64"), DERIVED_KEY_BYTES,
      { N: params.N, r: params.r, p: params.p, maxmem },
      (error, key) => (error ? reject(error) : resolve(new Uint8Array(key))))
  })
}

/**
 * Two-secret key derivation: HKDF (RFC 5869) over scrypt(password) ‖ account key,
 * salted with the account id. Neither the password nor the account key alone
 * yields the key that wraps the vault keys.
 */
export async function deriveUnlockKey(
  password: string,
  accountKey: Uint8Array,
  accountId: Uint8Array,
  params: KdfParams,
): Promise<Uint8Array> {
  const slow = await passwordKey(password, params)
  try {
    return combineUnlockKey(slow, accountKey, accountId)
  } finally {
    wipe(slow)
  }
}

/**
 * The fast half of {@link deriveUnlockKey}: from an already derived password key.
 * An unlocked daemon keeps the password key so that a re-key (new account key
 * after a revoke) needs no second prompt; it is wiped at lock.
 */
export function combineUnlockKey(passwordKeyBytes: Uint8Array, accountKey: Uint8Array, accountId: Uint8Array): Uint8Array {
  const ikm = concatBytes(passwordKeyBytes, accountKey)
  try {
    return hkdf(ikm, TWO_SECRET_INFO, DERIVED_KEY_BYTES, accountId)
  } finally {
    wipe(ikm)
  }
}
