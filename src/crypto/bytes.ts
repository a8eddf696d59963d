import { randomBytes as nodeRandomBytes } from "node:crypto"

/** Cryptographically secure random bytes. */
export function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length))
}

/** Constant-time equality of two byte arrays (lengths are not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

/** Overwrites a key buffer with zeros (when a vault locks). */
export function wipe(...buffers: Array<Uint8Array | undefined>): void {
  for (const buffer of buffers) buffer?.fill(0)
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concatList(parts)
}

/** {@link concatBytes} of a list, however long (no spread of its items into arguments). */
export function concatList(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new TypeError("not a hex string")
  return new Uint8Array(Buffer.from(hex, "hex"))
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"))
}

/** Big-endian u32/u64 helpers for associated data. */
export function u64be(value: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(value))
  return out
}

/** A device id: 16 random bytes in lowercase hex (the one definition; store/, merge/ and the wire check it). */
export const DEVICE_ID_PATTERN = /^[0-9a-f]{32}$/
