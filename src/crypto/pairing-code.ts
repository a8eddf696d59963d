import { sha256 } from "@noble/hashes/sha2.js"
import { concatBytes, equalBytes, utf8 } from "./bytes.js"
import { hkdf } from "./hkdf.js"

/** Bytes of each side's pairing nonce. */
export const PAIRING_NONCE_BYTES = 32
const COMMIT_INFO = "lanvault pairing commit v1"
const CODE_INFO = "lanvault pairing code v2"
const CODE_SOURCE_BYTES = 8
const CODE_DIGITS = 6

/**
 * The joining device's commitment to its nonce: SHA-256 over a context and the
 * nonce. Sent inside the handshake before the host reveals its own nonce, so
 * neither a joiner nor a host in the middle can choose a nonce after seeing
 * the other's (the commit-then-reveal of numeric comparison, as in Bluetooth
 * Secure Simple Pairing and ZRTP's SAS).
 */
export function pairingCommitment(joinerNonce: Uint8Array): Uint8Array {
  checkNonce(joinerNonce)
  return sha256(concatBytes(utf8(COMMIT_INFO), joinerNonce))
}

/** Whether `joinerNonce` is the one `commitment` was made to (constant time). */
export function opensCommitment(commitment: Uint8Array, joinerNonce: Uint8Array): boolean {
  return joinerNonce.length === PAIRING_NONCE_BYTES && equalBytes(commitment, pairingCommitment(joinerNonce))
}

/**
 * The 6-digit code both people compare: HKDF (RFC 5869) over the Noise
 * handshake hash and both nonces. A device in the middle runs two handshakes
 * with different hashes; with the nonces fixed in that order it matches the
 * two codes with probability 10^-6 per attempt, whatever it computes offline.
 */
export function pairingCode(handshakeHash: Uint8Array, joinerNonce: Uint8Array, hostNonce: Uint8Array): string {
  checkNonce(joinerNonce)
  checkNonce(hostNonce)
  const bytes = hkdf(concatBytes(handshakeHash, joinerNonce, hostNonce), CODE_INFO, CODE_SOURCE_BYTES)
  const value = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0)
  // 64 bits mod 10^6: the bias is below 2^-44, invisible to a person comparing.
  return (value % 10n ** BigInt(CODE_DIGITS)).toString().padStart(CODE_DIGITS, "0")
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== PAIRING_NONCE_BYTES) throw new TypeError(`a pairing nonce is ${PAIRING_NONCE_BYTES} bytes`)
}
