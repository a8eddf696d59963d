import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js"
import { hmac } from "@noble/hashes/hmac.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { utf8 } from "./bytes.js"

/** HKDF-SHA256 (RFC 5869). */
export function hkdf(ikm: Uint8Array, info: string, length = 32, salt?: Uint8Array): Uint8Array {
  return nobleHkdf(sha256, ikm, salt, utf8(info), length)
}

/** HMAC-SHA256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(sha256, key, message)
}

export { sha256 }
