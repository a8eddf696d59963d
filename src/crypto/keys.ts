import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from "node:crypto"
import { BadSignatureError } from "../errors.js"
import { equalBytes, randomBytes, toHex } from "./bytes.js"
import { x25519Native as x25519 } from "./native-x25519.js"

/** Parsed public keys kept for reuse: a sync checks thousands of entries of a few devices. */
const MAX_CACHED_KEYS = 256
const publicKeys = new Map<string, KeyObject>()
/** This device's signing key, parsed once (keyed by the secret itself: no copy kept elsewhere). */
let signingKey: { secret: Uint8Array; key: KeyObject } | undefined

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
    signPublic: signPublicKey(signSecret),
    dhSecret,
    dhPublic: x25519.getPublicKey(dhSecret),
  }
}

/**
 * Ed25519 signature (RFC 8032 §5.1.6). Signing and verifying run in Node's
 * OpenSSL (≈ 15× faster than pure JS, which matters when a new device checks
 * every entry of a large vault); keys are generated with @noble/curves, and the
 * signatures are the same deterministic RFC 8032 bytes either way (tested).
 */
export function sign(secret: Uint8Array, message: Uint8Array): Uint8Array {
  if (secret.length !== 32) throw new TypeError("Ed25519 secret key must be 32 bytes")
  return new Uint8Array(nodeSign(null, message, privateKeyObject(secret)))
}

function privateKeyObject(secret: Uint8Array): KeyObject {
  if (signingKey && signingKey.secret.length === 32 && equalBytes(signingKey.secret, secret)) return signingKey.key
  const key = ed25519PrivateKey(secret)
  signingKey = { secret: secret.slice(), key }
  return key
}

/** Ed25519 verification (RFC 8032 §5.1.7); throws {@link BadSignatureError}. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
  let ok = false
  try {
    ok = signature.length === 64 && publicKey.length === 32 && nodeVerify(null, message, publicKeyObject(publicKey), signature)
  } catch {
    ok = false
  }
  if (!ok) throw new BadSignatureError()
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = toHex(publicKey)
  let key = publicKeys.get(id)
  if (!key) {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: base64url(publicKey) }, format: "jwk" })
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.delete(publicKeys.keys().next().value as string)
    publicKeys.set(id, key)
  }
  return key
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url")
}

/**
 * The Ed25519 public key of a signing secret (RFC 8032 §5.1.5), in OpenSSL: the
 * pure-JS one costs tens of ms at its first call (its tables), on a daemon's start.
 */
export function signPublicKey(secret: Uint8Array): Uint8Array {
  if (secret.length !== 32) throw new TypeError("Ed25519 secret key must be 32 bytes")
  const spki = createPublicKey(ed25519PrivateKey(secret)).export({ format: "der", type: "spki" })
  return new Uint8Array(spki.subarray(spki.length - 32))
}

/** RFC 8410 §7: a PKCS #8 Ed25519 private key is this DER prefix, then the 32-byte secret. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])

function ed25519PrivateKey(secret: Uint8Array): KeyObject {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, secret])
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
  } finally {
    der.fill(0)
  }
}

export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secret)
}

/** X25519 (RFC 7748 §5). */
export function x25519SharedSecret(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(secret, publicKey)
}
