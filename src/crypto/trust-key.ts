import { sha256 } from "@noble/hashes/sha2.js"
import { concatBytes, utf8 } from "./bytes.js"
import { hkdf } from "./hkdf.js"
import { signPublicKey } from "./keys.js"

/**
 * The epoch whose vault key roots the account's trust key: every keyset holds
 * it (keysets only ever gain epochs), so every unlocked device derives the same key.
 */
export const TRUST_ROOT_EPOCH = 1
const TRUST_INFO = "lanvault trust v1"
const ACCOUNT_KEY_DIGEST_INFO = "lanvault account key digest v1"

/** The account's trust-signing key pair: only a device that opened the keyset holds the secret. */
export interface TrustKeyPair {
  secret: Uint8Array
  publicKey: Uint8Array
}

/**
 * Ed25519 key pair seeded by HKDF(VK of the root epoch, "lanvault trust v1")
 * (RFC 5869, RFC 8032 §5.1.5). Trust-list and keyset changes are signed with
 * it; the public key is stored in the clear, so a locked device verifies (and
 * so stores and forwards) them but can never make one.
 */
export function deriveTrustKey(rootVaultKey: Uint8Array): TrustKeyPair {
  if (rootVaultKey.length !== 32) throw new TypeError("a vault key is 32 bytes")
  const secret = hkdf(rootVaultKey, TRUST_INFO, 32)
  // OpenSSL's (keys.ts): the same RFC 8032 key without noble's first-call tables (≈ 35 ms of a first unlock or pairing).
  return { secret, publicKey: signPublicKey(secret) }
}

/** A digest of an account key that names it without revealing it (SHA-256, domain separated). */
export function accountKeyDigest(accountKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(ACCOUNT_KEY_DIGEST_INFO), accountKey))
}
