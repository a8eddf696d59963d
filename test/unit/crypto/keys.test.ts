import { ed25519 } from "@noble/curves/ed25519.js"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { generateDeviceKeys, sign, signPublicKey, verify, x25519SharedSecret } from "../../../src/crypto/keys.js"
import { open, seal } from "../../../src/crypto/aead.js"
import { randomBytes } from "../../../src/crypto/bytes.js"
import { LanvaultError } from "../../../src/errors.js"
import { codeOf } from "../../helpers/error-code.js"

describe("Ed25519", () => {
  // RFC 8032 §7.1, TEST 2.
  const secret = Uint8Array.from(Buffer.from("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "hex"))
  const publicKey = Buffer.from("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "hex")
  const expected = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"

  it("signs the RFC 8032 test vector byte for byte, as @noble/curves does", () => {
    const message = Uint8Array.of(0x72)
    expect(Buffer.from(sign(secret, message)).toString("hex")).toBe(expected)
    expect(Buffer.from(ed25519.sign(message, secret)).toString("hex")).toBe(expected)
    expect(() => verify(publicKey, message, sign(secret, message))).not.toThrow()
  })

  it("derives the RFC 8032 public key of a secret in OpenSSL, the same as @noble/curves for any secret", () => {
    expect(Buffer.from(signPublicKey(secret))).toEqual(publicKey)
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (any) => {
      expect(signPublicKey(any)).toEqual(ed25519.getPublicKey(any))
    }), { numRuns: 50 })
  })

  it("refuses a changed message, signature or key with BAD_SIGNATURE", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(63), (message, index) => {
      const keys = generateDeviceKeys()
      const signature = sign(keys.signSecret, message)
      verify(keys.signPublic, message, signature)
      const bad = signature.slice()
      bad[index] ^= 1
      expect(codeOf(() => verify(keys.signPublic, message, bad))).toBe("BAD_SIGNATURE")
      expect(codeOf(() => verify(generateDeviceKeys().signPublic, message, signature))).toBe("BAD_SIGNATURE")
      expect(codeOf(() => verify(keys.signPublic.subarray(1), message, signature))).toBe("BAD_SIGNATURE")
    }), { numRuns: 50 })
  })
})

describe("X25519 and XChaCha20-Poly1305", () => {
  it("agrees on a shared secret", () => {
    const a = generateDeviceKeys()
    const b = generateDeviceKeys()
    expect(x25519SharedSecret(a.dhSecret, b.dhPublic)).toEqual(x25519SharedSecret(b.dhSecret, a.dhPublic))
  })

  it("opens what it sealed and refuses any tampering with DECRYPTION_FAILED", () => {
    const key = randomBytes(32)
    const ad = Uint8Array.of(1, 2, 3)
    const sealed = seal(key, new TextEncoder().encode("secret"), ad)
    expect(new TextDecoder().decode(open(key, sealed, ad))).toBe("secret")
    const tampered = sealed.slice()
    tampered[30] ^= 1
    expect(codeOf(() => open(key, tampered, ad))).toBe("DECRYPTION_FAILED")
    expect(codeOf(() => open(key, sealed, Uint8Array.of(1, 2)))).toBe("DECRYPTION_FAILED")
    expect(codeOf(() => open(randomBytes(32), sealed, ad))).toBe("DECRYPTION_FAILED")
    expect(codeOf(() => open(key, sealed.subarray(0, 20), ad))).toBe("DECRYPTION_FAILED")
  })
})
