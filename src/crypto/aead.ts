import { DecryptionError } from "../errors.js"
import { concatBytes, randomBytes } from "./bytes.js"
import { xchachaDecrypt, xchachaEncrypt } from "./native-aead.js"

const KEY_BYTES = 32
const NONCE_BYTES = 24
const TAG_BYTES = 16

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha §2) with a random 24-byte nonce,
 * which is safe to pick at random for any number of messages under one key.
 * Output: nonce ‖ ciphertext ‖ tag.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array = new Uint8Array()): Uint8Array {
  checkKey(key)
  const nonce = randomBytes(NONCE_BYTES)
  return concatBytes(nonce, xchachaEncrypt(key, nonce, associatedData, plaintext))
}

/** Opens what {@link seal} made; throws {@link DecryptionError} on any tampering. */
export function open(key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array = new Uint8Array()): Uint8Array {
  checkKey(key)
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError("ciphertext too short")
  const nonce = sealed.subarray(0, NONCE_BYTES)
  try {
    return xchachaDecrypt(key, nonce, associatedData, sealed.subarray(NONCE_BYTES))
  } catch {
    throw new DecryptionError()
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new TypeError(`AEAD key must be ${KEY_BYTES} bytes`)
}
