import { ed25519, x25519 } from "@noble/curves/ed25519.js"
import { BadSignatureError } from "../errors.js"
import { randomBytes } from "./bytes.js"

/** A device's long-term keys: Ed25519 signs its log entries, X25519 is its Noise static key. */
export interface DeviceKeys {
  signSecret: Uint8Array
  signPublic: Uint8Array
  dhSecret: Uint8Array
  dhPublic: Uint8Array
}

export function generateDeviceKeys(): DeviceKeys {
  const signSecret = randomBytes(32)
  const dhSecret = randomBytes(32)
  return {
    signSecret,
    signPublic: ed25519.getPublicKey(signSecret),
    dhSecret,
    dhPublic: x25519.getPublicKey(dhSecret),
  }
}

/** Ed25519 signature (RFC 8032 §5.1.6). */
export function sign(secret: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, secret)
}

/** Ed25519 verification (RFC 8032 §5.1.7); throws {@link BadSignatureError}. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
  let ok = false
  try {
    ok = signature.length === 64 && ed25519.verify(signature, message, publicKey)
  } catch {
    ok = false
  }
  if (!ok) throw new BadSignatureError()
}

export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secret)
}

/** X25519 (RFC 7748 §5). */
export function x25519SharedSecret(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(secret, publicKey)
}
