import { describe, expect, it } from "vitest"
import { generate } from "../../../src/credentials/index.js"
import { LanvaultError } from "../../../src/errors.js"
import { codeOf } from "../../helpers/error-code.js"

describe("the password and passphrase generator", () => {
  it("generates passwords of the asked length with every character class, all different", () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const { value, kind } = generate()
      expect(kind).toBe("password")
      expect(value).toHaveLength(24)
      expect(value).toMatch(/[a-z]/)
      expect(value).toMatch(/[A-Z]/)
      expect(value).toMatch(/[0-9]/)
      expect(value).toMatch(/[^a-zA-Z0-9]/)
      expect(value).not.toMatch(/[\s"'`\\]/)
      seen.add(value)
    }
    expect(seen.size).toBe(200)
    expect(generate({ length: 64 }).value).toHaveLength(64)
  })

  it("leaves out symbols and digits when asked", () => {
    for (let i = 0; i < 50; i++) {
      expect(generate({ symbols: false }).value).toMatch(/^[A-Za-z0-9]{24}$/)
      expect(generate({ symbols: false, digits: false, length: 12 }).value).toMatch(/^[A-Za-z]{12}$/)
      expect(generate({ digits: false }).value).not.toMatch(/[0-9]/)
    }
    expect(generate({ symbols: false, digits: false, length: 10 }).entropyBits).toBe(57)
  })

  it("makes passphrases of EFF long-list words with the asked separator", () => {
    const phrase = generate({ words: 6 })
    expect(phrase.kind).toBe("passphrase")
    const words = phrase.value.split("-")
    expect(words).toHaveLength(6)
    for (const word of words) expect(word).toMatch(/^[a-z]+$/)
    expect(phrase.entropyBits).toBe(77)
    expect(generate({ words: 4, separator: " " }).value.split(" ")).toHaveLength(4)
    expect(generate({ words: 3, separator: "" }).value).toMatch(/^[a-z]+$/)
    // The EFF long list's first and last words come from it, not from some other list.
    const many = new Set(Array.from({ length: 300 }, () => generate({ words: 20 }).value.split("-")).flat())
    expect(many.size).toBeGreaterThan(3000)
  })

  it("refuses out-of-range or mixed options with INVALID_PARAMS", () => {
    for (const options of [{ length: 4 }, { length: 257 }, { length: 10.5 }, { words: 2 }, { words: 21 }, { words: 5, length: 10 }, { separator: "-" }, { words: 5, separator: "toolong" }, { words: 5, separator: "\n" }]) {
      expect({ options, code: codeOf(() => generate(options)) }).toEqual({ options, code: "INVALID_PARAMS" })
    }
  })
})
