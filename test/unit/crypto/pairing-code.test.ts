import { describe, expect, it } from "vitest"
import { opensCommitment, pairingCode, pairingCommitment, randomBytes } from "../../../src/crypto/index.js"

describe("pairing code (commit, then reveal)", () => {
  it("a commitment opens only with its own nonce", () => {
    const nonce = randomBytes(32)
    const commitment = pairingCommitment(nonce)
    expect(opensCommitment(commitment, nonce)).toBe(true)
    expect(opensCommitment(commitment, randomBytes(32))).toBe(false)
    expect(opensCommitment(commitment, nonce.subarray(0, 31))).toBe(false)
  })

  it("is six digits, the same on both sides, and changes with the handshake hash and with either nonce", () => {
    const hash = randomBytes(32)
    const joiner = randomBytes(32)
    const host = randomBytes(32)
    const code = pairingCode(hash, joiner, host)
    expect(code).toMatch(/^\d{6}$/)
    expect(pairingCode(hash.slice(), joiner.slice(), host.slice())).toBe(code)
    // 20 draws each: a code that ignored an input would repeat every time.
    const codes = (vary: () => string) => new Set(Array.from({ length: 20 }, vary)).size
    expect(codes(() => pairingCode(randomBytes(32), joiner, host))).toBeGreaterThan(15)
    expect(codes(() => pairingCode(hash, randomBytes(32), host))).toBeGreaterThan(15)
    expect(codes(() => pairingCode(hash, joiner, randomBytes(32)))).toBeGreaterThan(15)
    expect(() => pairingCode(hash, joiner.subarray(1), host)).toThrow(TypeError)
  })
})
