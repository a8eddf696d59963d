import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from "node:crypto"

/**
 * X25519 (RFC 7748 §5, §6.1) in Node's OpenSSL, shaped like @noble/curves'
 * `x25519`. The pure-JS one builds its tables at its first call: ≈ 30–60 ms of
 * a daemon's first handshake (it starts without the optimizing compiler), on a
 * new device's way to its first sync. The same bytes (tested against noble and
 * RFC 7748's vectors); like noble, an all-zero shared secret (a low-order
 * public key) is refused.
 */
const KEY_BYTES = 32
/** RFC 8410 §7: a PKCS #8 X25519 private key is this DER prefix, then the 32-byte secret. */
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20])
/** RFC 8410 §4: an X25519 SubjectPublicKeyInfo is this DER prefix, then the 32-byte public key. */
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00])

export const x25519Native = {
  /** The public key (u-coordinate) of a 32-byte secret, clamped as RFC 7748 §5 says. */
  getPublicKey(secret: Uint8Array): Uint8Array {
    const spki = createPublicKey(privateKey(secret)).export({ format: "der", type: "spki" })
    return new Uint8Array(spki.subarray(spki.length - KEY_BYTES))
  },

  /** X25519(secret, publicKey); throws for a key of the wrong length or an all-zero result. */
  getSharedSecret(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
    if (publicKey.length !== KEY_BYTES) throw new TypeError("an X25519 public key is 32 bytes")
    const peer = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" })
    let shared: Buffer
    try {
      shared = diffieHellman({ privateKey: privateKey(secret), publicKey: peer })
    } catch (cause) {
      // OpenSSL refuses an all-zero result (RFC 7748 §6.1's check), as noble does.
      throw new Error("invalid private or public key received", { cause })
    }
    if (shared.every((byte) => byte === 0)) throw new Error("invalid private or public key received")
    const out = new Uint8Array(shared)
    shared.fill(0)
    return out
  },
}

function privateKey(secret: Uint8Array): KeyObject {
  if (secret.length !== KEY_BYTES) throw new TypeError("an X25519 secret is 32 bytes")
  const der = Buffer.concat([PKCS8_PREFIX, secret])
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
  } finally {
    der.fill(0)
  }
}
