import { open, seal } from "./aead.js"
import { concatBytes, randomBytes, utf8, wipe } from "./bytes.js"
import { hkdf } from "./hkdf.js"
import { x25519Native as x25519 } from "./native-x25519.js"

const KEY_BYTES = 32
const SEALED_BOX_INFO = "lanvault sealed box v1 "

/**
 * A sealed box to the account's trust key: an ephemeral X25519 key agreement
 * with the trust key's Montgomery form (RFC 7748 §4.1 birational map, as
 * libsodium's crypto_sign_ed25519_pk_to_curve25519 and age's ssh-ed25519
 * recipient do), HKDF over the shared secret bound to both public keys and a
 * context, then XChaCha20-Poly1305. Only a device that opened the keyset (and
 * so derives the trust secret) opens it. Output: ephemeral public ‖ seal().
 * @noble/curves (the map) loads at the first box: ≈ 30 ms a daemon's start need not pay.
 */
export async function sealToTrustKey(trustPublic: Uint8Array, plaintext: Uint8Array, context: string): Promise<Uint8Array> {
  if (trustPublic.length !== KEY_BYTES) throw new TypeError("a trust public key is 32 bytes")
  const { ed25519 } = await import("@noble/curves/ed25519.js")
  const recipient = ed25519.utils.toMontgomery(trustPublic)
  const ephemeral = randomBytes(KEY_BYTES)
  const ephemeralPublic = x25519.getPublicKey(ephemeral)
  const key = boxKey(x25519.getSharedSecret(ephemeral, recipient), ephemeralPublic, recipient, context)
  try {
    return concatBytes(ephemeralPublic, seal(key, plaintext, utf8(context)))
  } finally {
    wipe(ephemeral, key)
  }
}

/** Opens what {@link sealToTrustKey} made with the trust secret (Ed25519 seed); DecryptionError otherwise. */
export async function openWithTrustKey(trustSecret: Uint8Array, sealed: Uint8Array, context: string): Promise<Uint8Array> {
  if (trustSecret.length !== KEY_BYTES) throw new TypeError("a trust secret is 32 bytes")
  const { ed25519 } = await import("@noble/curves/ed25519.js")
  const secret = ed25519.utils.toMontgomerySecret(trustSecret)
  const ownPublic = x25519.getPublicKey(secret)
  const ephemeralPublic = sealed.subarray(0, KEY_BYTES)
  const key = boxKey(x25519.getSharedSecret(secret, ephemeralPublic), ephemeralPublic, ownPublic, context)
  try {
    return open(key, sealed.subarray(KEY_BYTES), utf8(context))
  } finally {
    wipe(secret, key)
  }
}

function boxKey(shared: Uint8Array, ephemeralPublic: Uint8Array, recipient: Uint8Array, context: string): Uint8Array {
  try {
    return hkdf(shared, SEALED_BOX_INFO + context, KEY_BYTES, concatBytes(ephemeralPublic, recipient))
  } finally {
    wipe(shared)
  }
}
