/**
 * The primitives a Noise suite plugs in (Noise spec rev. 34 §12): the 25519 DH,
 * the ChaChaPoly and AESGCM ciphers, the SHA-2 and BLAKE2 hashes and HMAC.
 * Re-exported here so every noble import stays in crypto/; transport/noise-suite
 * assembles them into suites.
 */
// Both ciphers run in Node's OpenSSL (native-aead.ts: every synced byte goes through ChaChaPoly); the same bytes as noble's.
export { aes256gcmNative as gcm, chacha20poly1305Native as chacha20poly1305 } from "./native-aead.js"
// X25519 in OpenSSL too (native-x25519.ts): noble's builds its tables at the first handshake.
export { x25519Native as x25519 } from "./native-x25519.js"
export { blake2b, blake2s } from "@noble/hashes/blake2.js"
export { hmac } from "@noble/hashes/hmac.js"
export { sha256, sha512 } from "@noble/hashes/sha2.js"
