import { createCipheriv, createDecipheriv } from "node:crypto"
import { hchacha } from "@noble/ciphers/chacha.js"
import { wipe } from "./bytes.js"

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8) in Node's OpenSSL: ≈ 13× the speed of the
 * pure-JS cipher here, which a first sync (every byte through Noise) and an
 * unlock (every snapshot opened) feel. The same bytes as @noble/ciphers' (tested
 * against it); the XChaCha variant derives its subkey with noble's HChaCha20.
 */
const KEY_BYTES = 32
const NONCE_BYTES = 12
const XNONCE_BYTES = 24
const TAG_BYTES = 16
/** "expand 32-byte k" as four little-endian words (RFC 8439 §2.3). */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574])

/** An AEAD bound to a key, nonce and associated data, shaped like @noble/ciphers' (throws on a bad tag). */
export interface BoundAead {
  encrypt(plaintext: Uint8Array): Uint8Array
  decrypt(ciphertext: Uint8Array): Uint8Array
}

/** ChaCha20-Poly1305 with a 12-byte nonce (RFC 8439 §2.8): output ciphertext ‖ 16-byte tag. */
export function chacha20poly1305Native(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array): BoundAead {
  if (key.length !== KEY_BYTES || nonce.length !== NONCE_BYTES) throw new TypeError("ChaCha20-Poly1305 needs a 32-byte key and a 12-byte nonce")
  return boundAead("chacha20-poly1305", key, nonce, ad)
}

/**
 * AES-256-GCM with a 12-byte nonce (NIST SP 800-38D), shaped like @noble/ciphers' `gcm`:
 * Noise's AESGCM suite (only the published vectors use it). OpenSSL's, not noble's,
 * whose tables (1.3 MiB, built at import) a daemon would hold all day for nothing.
 */
export function aes256gcmNative(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array): BoundAead {
  if (key.length !== KEY_BYTES || nonce.length !== NONCE_BYTES) throw new TypeError("AES-256-GCM needs a 32-byte key and a 12-byte nonce")
  return boundAead("aes-256-gcm", key, nonce, ad)
}

function boundAead(name: "chacha20-poly1305" | "aes-256-gcm", key: Uint8Array, nonce: Uint8Array, ad: Uint8Array): BoundAead {
  // Node types the two AEADs through separate overloads; both take the same options and calls.
  const algorithm = name as "aes-256-gcm"
  return {
    encrypt: (plaintext) => {
      const cipher = createCipheriv(algorithm, key, nonce, { authTagLength: TAG_BYTES })
      cipher.setAAD(ad, { plaintextLength: plaintext.length })
      const head = cipher.update(plaintext)
      const tail = cipher.final()
      const out = new Uint8Array(head.length + tail.length + TAG_BYTES)
      out.set(head)
      out.set(tail, head.length)
      out.set(cipher.getAuthTag(), head.length + tail.length)
      return out
    },
    decrypt: (ciphertext) => {
      if (ciphertext.length < TAG_BYTES) throw new Error("ciphertext shorter than its tag")
      const body = ciphertext.subarray(0, ciphertext.length - TAG_BYTES)
      const decipher = createDecipheriv(algorithm, key, nonce, { authTagLength: TAG_BYTES })
      decipher.setAAD(ad, { plaintextLength: body.length })
      decipher.setAuthTag(ciphertext.subarray(body.length))
      const head = decipher.update(body)
      const tail = decipher.final() // throws on a bad tag
      // A plain Uint8Array of its own (a Buffer's slice() is a view, and a small one may sit in a shared pool).
      const out = new Uint8Array(head.length + tail.length)
      out.set(head)
      out.set(tail, head.length)
      return out
    },
  }
}

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2.3): HChaCha20 of the key and
 * the nonce's first 16 bytes gives a subkey (wiped after the one call), used
 * with 4 zero bytes ‖ the nonce's last 8. Output: ciphertext ‖ 16-byte tag.
 */
export function xchachaEncrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return withSubkey(key, nonce, ad, (inner) => inner.encrypt(plaintext))
}

/** Opens what {@link xchachaEncrypt} made; throws on a bad tag. */
export function xchachaDecrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return withSubkey(key, nonce, ad, (inner) => inner.decrypt(ciphertext))
}

function withSubkey<T>(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, run: (inner: BoundAead) => T): T {
  if (key.length !== KEY_BYTES || nonce.length !== XNONCE_BYTES) throw new TypeError("XChaCha20-Poly1305 needs a 32-byte key and a 24-byte nonce")
  const words = new Uint32Array(8)
  const keyWords = leWords(key)
  hchacha(SIGMA, keyWords, leWords(nonce.subarray(0, 16)), words)
  const subkey = new Uint8Array(KEY_BYTES)
  const view = new DataView(subkey.buffer)
  for (let i = 0; i < 8; i++) view.setUint32(i * 4, words[i], true)
  words.fill(0)
  keyWords.fill(0)
  const shortNonce = new Uint8Array(NONCE_BYTES)
  shortNonce.set(nonce.subarray(16), 4)
  try {
    return run(chacha20poly1305Native(subkey, shortNonce, ad))
  } finally {
    wipe(subkey)
  }
}

function leWords(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const words = new Uint32Array(bytes.length / 4)
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, true)
  return words
}
