import { x25519 } from "@noble/curves/ed25519.js"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { x25519Native } from "../../../src/crypto/native-x25519.js"

const sized = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
const hex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"))

describe("X25519 in Node's OpenSSL", () => {
  it("gives RFC 7748 §6.1's public keys and shared secret", () => {
    const alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    const bob = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    expect(x25519Native.getPublicKey(alice)).toEqual(hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))
    expect(x25519Native.getPublicKey(bob)).toEqual(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))
    const shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    expect(x25519Native.getSharedSecret(alice, x25519Native.getPublicKey(bob))).toEqual(shared)
    expect(x25519Native.getSharedSecret(bob, x25519Native.getPublicKey(alice))).toEqual(shared)
  })

  it("makes the same bytes as @noble/curves for any secret and public key", () => {
    fc.assert(fc.property(sized(32), sized(32), (secret, other) => {
      expect(x25519Native.getPublicKey(secret)).toEqual(x25519.getPublicKey(secret))
      const publicKey = x25519.getPublicKey(other)
      expect(x25519Native.getSharedSecret(secret, publicKey)).toEqual(x25519.getSharedSecret(secret, publicKey))
    }), { numRuns: 100 })
  })

  it("refuses a low-order public key (an all-zero result) and keys of the wrong length, as noble does", () => {
    const secret = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    for (const lowOrder of [new Uint8Array(32), Uint8Array.from([1, ...new Uint8Array(31)])]) {
      expect(() => x25519.getSharedSecret(secret, lowOrder)).toThrow()
      expect(() => x25519Native.getSharedSecret(secret, lowOrder)).toThrow(/invalid private or public key/)
    }
    expect(() => x25519Native.getPublicKey(new Uint8Array(31))).toThrow(TypeError)
    expect(() => x25519Native.getSharedSecret(secret, new Uint8Array(33))).toThrow(TypeError)
  })
})
