import { gcm } from "@noble/ciphers/aes.js"
import { chacha20poly1305, xchacha20poly1305 } from "@noble/ciphers/chacha.js"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { open, randomBytes, seal } from "../../../src/crypto/index.js"
import { aes256gcmNative, chacha20poly1305Native, xchachaDecrypt, xchachaEncrypt } from "../../../src/crypto/native-aead.js"

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max })
const sized = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })

describe("ChaCha20-Poly1305 in Node's OpenSSL", () => {
  it("makes the same bytes as @noble/ciphers (RFC 8439 §2.8), and opens them", () => {
    fc.assert(fc.property(sized(32), sized(12), bytes(0, 64), bytes(0, 3000), (key, nonce, ad, plaintext) => {
      const sealed = chacha20poly1305Native(key, nonce, ad).encrypt(plaintext)
      expect(sealed).toEqual(chacha20poly1305(key, nonce, ad).encrypt(plaintext))
      expect(chacha20poly1305Native(key, nonce, ad).decrypt(sealed)).toEqual(plaintext)
    }), { numRuns: 200 })
  })

  it("XChaCha20-Poly1305 makes the same bytes as @noble/ciphers (draft-irtf-cfrg-xchacha §2.3), and opens them", () => {
    fc.assert(fc.property(sized(32), sized(24), bytes(0, 64), bytes(0, 3000), (key, nonce, ad, plaintext) => {
      const sealed = xchachaEncrypt(key, nonce, ad, plaintext)
      expect(sealed).toEqual(xchacha20poly1305(key, nonce, ad).encrypt(plaintext))
      expect(xchachaDecrypt(key, nonce, ad, sealed)).toEqual(plaintext)
    }), { numRuns: 200 })
  })

  it("AES-256-GCM (Noise's AESGCM) makes the same bytes as @noble/ciphers' gcm, opens them and refuses a flipped bit", () => {
    fc.assert(fc.property(sized(32), sized(12), bytes(0, 64), bytes(1, 3000), (key, nonce, ad, plaintext) => {
      const sealed = aes256gcmNative(key, nonce, ad).encrypt(plaintext)
      expect(sealed).toEqual(gcm(key, nonce, ad).encrypt(plaintext))
      expect(aes256gcmNative(key, nonce, ad).decrypt(sealed)).toEqual(plaintext)
      const tampered = sealed.slice()
      tampered[plaintext.length % sealed.length] ^= 1
      expect(() => aes256gcmNative(key, nonce, ad).decrypt(tampered)).toThrow()
    }), { numRuns: 100 })
  })

  it("refuses a flipped bit anywhere, a wrong key or wrong associated data", () => {
    const key = randomBytes(32)
    const sealed = seal(key, randomBytes(100), new Uint8Array([1, 2, 3]))
    expect(open(key, sealed, new Uint8Array([1, 2, 3]))).toHaveLength(100)
    for (let i = 0; i < sealed.length; i += 7) {
      const tampered = sealed.slice()
      tampered[i] ^= 1
      expect(() => open(key, tampered, new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: "DECRYPTION_FAILED" }))
    }
    expect(() => open(randomBytes(32), sealed, new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: "DECRYPTION_FAILED" }))
    expect(() => open(key, sealed, new Uint8Array([1, 2, 4]))).toThrow(expect.objectContaining({ code: "DECRYPTION_FAILED" }))
  })

  it("hands back plain Uint8Arrays whose slice() is a copy", () => {
    const key = randomBytes(32)
    const opened = open(key, seal(key, new Uint8Array([9, 9, 9])))
    expect(Buffer.isBuffer(opened)).toBe(false)
    const copy = opened.slice()
    copy[0] = 0
    expect(opened[0]).toBe(9)
  })
})
