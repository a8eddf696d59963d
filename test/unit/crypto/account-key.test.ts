import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatAccountKey, generateAccountKey, parseAccountKey } from "../../../src/crypto/account-key.js"
import { LanvaultError } from "../../../src/errors.js"
import { codeOf } from "../../helpers/error-code.js"

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

describe("account key format", () => {
  it("formats 128 bits as LV1- and seven groups of four and reads it back", () => {
    const key = generateAccountKey()
    const text = formatAccountKey(key)
    expect(text).toMatch(/^LV1(-[0-9A-HJKMNP-TV-Z]{4}){7}$/)
    expect(parseAccountKey(text)).toEqual(key)
  })

  it("accepts what a person types: lower case, spaces, no dashes, O for 0 and l for 1", () => {
    const key = new Uint8Array(16).fill(0)
    key[15] = 33
    const text = formatAccountKey(key)
    const sloppy = text.slice(4).toLowerCase().replace(/-/g, " ").replace(/0/g, "o").replace(/1/g, "l")
    expect(parseAccountKey(`  lv1 ${sloppy} `)).toEqual(key)
  })

  it("catches every single-character typo", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(27), fc.nat(31), (key, position, replacement) => {
        const chars = formatAccountKey(key).slice(4).replace(/-/g, "").split("")
        const substitute = ALPHABET[replacement]
        fc.pre(chars[position] !== substitute)
        chars[position] = substitute
        expect(codeOf(() => parseAccountKey(`LV1-${chars.join("")}`))).toBe("INVALID_ACCOUNT_KEY")
      }),
      { numRuns: 2000 },
    )
  })

  it("catches swapped neighbouring characters", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(26), (key, position) => {
        const chars = formatAccountKey(key).slice(4).replace(/-/g, "").split("")
        fc.pre(chars[position] !== chars[position + 1])
        ;[chars[position], chars[position + 1]] = [chars[position + 1], chars[position]]
        expect(codeOf(() => parseAccountKey(`LV1-${chars.join("")}`))).toBe("INVALID_ACCOUNT_KEY")
      }),
      { numRuns: 2000 },
    )
  })

  it("refuses wrong prefixes, lengths and characters with a typed error", () => {
    expect(codeOf(() => parseAccountKey("XX1-0000"))).toBe("INVALID_ACCOUNT_KEY")
    expect(codeOf(() => parseAccountKey("LV1-0000-0000"))).toBe("INVALID_ACCOUNT_KEY")
    expect(codeOf(() => parseAccountKey(`LV1-${"U".repeat(28)}`))).toBe("INVALID_ACCOUNT_KEY")
    fc.assert(fc.property(fc.string(), (text) => {
      const code = codeOf(() => parseAccountKey(text))
      expect(code === undefined || code === "INVALID_ACCOUNT_KEY").toBe(true)
    }))
  })
})
