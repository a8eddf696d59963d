import { blake2b, blake2s, chacha20poly1305, gcm, hmac, sha256, sha512, x25519 } from "../crypto/noise-primitives.js"
import { LanvaultError } from "../errors.js"
import { concatBytes } from "../crypto/bytes.js"

/** Noise spec rev. 34 §12.1: 25519 public keys and DH outputs are 32 bytes. */
export const DH_BYTES = 32
/** Noise spec §5.1: every AEAD adds a 16-byte tag. */
export const TAG_BYTES = 16
/** Noise spec §3: no Noise message is longer than 65,535 bytes. */
export const NOISE_MAX_MESSAGE_BYTES = 65_535
const CIPHER_KEY_BYTES = 32
const NONCE_BYTES = 12

/** The handshake patterns this state machine knows (Noise spec §7.5 and §9.4). */
export type NoisePattern = "XX" | "XXpsk3" | "IK"

/** A parsed protocol name: the pattern plus pluggable DH, cipher and hash functions. */
export interface NoiseSuite {
  readonly protocolName: string
  readonly pattern: NoisePattern
  readonly hashLen: number
  hash(data: Uint8Array): Uint8Array
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array
  /** ENCRYPT(k, n, ad, plaintext) of Noise spec §4.2. */
  encrypt(key: Uint8Array, nonce: bigint, ad: Uint8Array, plaintext: Uint8Array): Uint8Array
  /** DECRYPT(k, n, ad, ciphertext) of Noise spec §4.2; throws on a bad tag. */
  decrypt(key: Uint8Array, nonce: bigint, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array
  /** DH(key_pair, public_key) of Noise spec §4.1 over Curve25519 (§12.1). */
  dh(secret: Uint8Array, publicKey: Uint8Array): Uint8Array
  publicKey(secret: Uint8Array): Uint8Array
}

type HashFn = (data: Uint8Array) => Uint8Array
type AeadFn = (key: Uint8Array, nonce: Uint8Array, ad: Uint8Array) => {
  encrypt(data: Uint8Array): Uint8Array
  decrypt(data: Uint8Array): Uint8Array
}

const HASHES: Record<string, { fn: HashFn & Parameters<typeof hmac>[0]; len: number }> = {
  SHA256: { fn: sha256, len: 32 },
  SHA512: { fn: sha512, len: 64 },
  BLAKE2s: { fn: blake2s, len: 32 },
  BLAKE2b: { fn: blake2b, len: 64 },
}

const CIPHERS: Record<string, { aead: AeadFn; nonce: (n: bigint) => Uint8Array }> = {
  // Noise spec §12.3: 32 zero bits then the 64-bit counter, little-endian.
  ChaChaPoly: { aead: chacha20poly1305, nonce: (n) => counterNonce(n, true) },
  // Noise spec §12.4: 32 zero bits then the 64-bit counter, big-endian.
  AESGCM: { aead: gcm, nonce: (n) => counterNonce(n, false) },
}

/**
 * Parses `Noise_<pattern>_25519_<cipher>_<hash>` (Noise spec §8) into a suite.
 * lanvault uses ChaChaPoly and SHA256; the others exist so that every published
 * XX vector can check the same state machine.
 */
export function noiseSuite(protocolName: string): NoiseSuite {
  const match = /^Noise_(XX|XXpsk3|IK)_25519_(ChaChaPoly|AESGCM)_(SHA256|SHA512|BLAKE2s|BLAKE2b)$/.exec(protocolName)
  if (!match) throw new LanvaultError("HANDSHAKE_FAILED", `unsupported Noise protocol: ${protocolName}`)
  const hash = HASHES[match[3]]
  const cipher = CIPHERS[match[2]]
  return {
    protocolName,
    pattern: match[1] as NoisePattern,
    hashLen: hash.len,
    hash: (data) => hash.fn(data),
    hmac: (key, data) => hmac(hash.fn, key, data),
    encrypt: (key, n, ad, plaintext) => cipher.aead(key, cipher.nonce(n), ad).encrypt(plaintext),
    decrypt: (key, n, ad, ciphertext) => cipher.aead(key, cipher.nonce(n), ad).decrypt(ciphertext),
    dh: (secret, publicKey) => x25519.getSharedSecret(secret, publicKey),
    publicKey: (secret) => x25519.getPublicKey(secret),
  }
}

/**
 * HKDF(chaining_key, input_key_material, num_outputs) of Noise spec §4.3:
 * two or three HASHLEN outputs from an HMAC chain keyed by the chaining key.
 */
export function noiseHkdf(suite: NoiseSuite, chainingKey: Uint8Array, ikm: Uint8Array, outputs: 2 | 3): Uint8Array[] {
  const tempKey = suite.hmac(chainingKey, ikm)
  const out1 = suite.hmac(tempKey, Uint8Array.of(0x01))
  const out2 = suite.hmac(tempKey, concatBytes(out1, Uint8Array.of(0x02)))
  if (outputs === 2) return [out1, out2]
  return [out1, out2, suite.hmac(tempKey, concatBytes(out2, Uint8Array.of(0x03)))]
}

/** Noise spec §5.2: a HASHLEN-64 output is truncated to the 32-byte cipher key. */
export function truncateKey(bytes: Uint8Array): Uint8Array {
  return bytes.slice(0, CIPHER_KEY_BYTES)
}

function counterNonce(n: bigint, littleEndian: boolean): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES)
  new DataView(nonce.buffer).setBigUint64(4, n, littleEndian)
  return nonce
}
