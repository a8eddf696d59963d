import { describe, expect, it } from "vitest"
import { totpCode } from "../../../src/credentials/index.js"
import { LanvaultError } from "../../../src/errors.js"
import { codeOf } from "../../helpers/error-code.js"

// RFC 6238 Appendix B: the seeds are the ASCII strings below (20, 32 and 64 bytes), 8 digits, 30 s.
const SEEDS = {
  SHA1: "12345678901234567890",
  SHA256: "12345678901234567890123456789012",
  SHA512: "1234567890123456789012345678901234567890123456789012345678901234",
}
const RFC_6238_TABLE: Array<[number, string, string, string]> = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
]

/** RFC 4648 base32 without padding, written here so the test does not lean on the library it checks. */
function base32(text: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
  let bits = ""
  for (const byte of Buffer.from(text, "ascii")) bits += byte.toString(2).padStart(8, "0")
  let out = ""
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)]
  return out
}

function uri(algorithm: keyof typeof SEEDS, extra = ""): string {
  return `otpauth://totp/RFC:test?secret=${base32(SEEDS[algorithm])}&algorithm=${algorithm}&digits=8&period=30${extra}`
}

describe("TOTP codes (RFC 6238)", () => {
  it("match every value of RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512", () => {
    for (const [seconds, sha1, sha256, sha512] of RFC_6238_TABLE) {
      const at = seconds * 1000
      expect([totpCode(uri("SHA1"), at).code, totpCode(uri("SHA256"), at).code, totpCode(uri("SHA512"), at).code]).toEqual([sha1, sha256, sha512])
    }
  })

  it("respects the URI's digits and period, and says how long the code lasts", () => {
    const six = totpCode(uri("SHA1").replace("digits=8", "digits=6"), 59_000)
    expect(six).toMatchObject({ code: "287082", digits: 6, period: 30, algorithm: "SHA1", secondsLeft: 1 })
    const sixty = totpCode(uri("SHA1").replace("period=30", "period=60"), 59_000)
    expect(sixty.period).toBe(60)
    expect(sixty.secondsLeft).toBe(1)
    // Counter 0 with a 60 s period is the RFC's T=0..59 step under 30 s: same HMAC input as time 0.
    expect(sixty.code).toBe(totpCode(uri("SHA1"), 0).code)
    expect(totpCode(uri("SHA1"), 60_000).secondsLeft).toBe(30)
  })

  it("reads a bare base32 seed (spaces, lower case, padding) as SHA-1, 6 digits, 30 s", () => {
    const spaced = base32(SEEDS.SHA1).toLowerCase().replace(/(.{4})/g, "$1 ") + "===="
    expect(totpCode(spaced, 59_000)).toMatchObject({ code: "287082", digits: 6, period: 30, algorithm: "SHA1" })
  })

  it("refuses HOTP seeds and unreadable values without repeating them", () => {
    for (const seed of ["otpauth://hotp/x?secret=GEZDGNBV&counter=1", "not base32 at all!", "otpauth://totp/x?secret=GEZDGNBV&algorithm=MD5"]) {
      expect(codeOf(() => totpCode(seed))).toBe("UNSUPPORTED_FORMAT")
      try {
        totpCode(seed)
      } catch (error) {
        expect((error as Error).message).not.toContain("GEZDGNBV")
      }
    }
  })
})
