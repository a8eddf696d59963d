import { describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { estimateStrength, requireStrongPassword } from "../../../src/health/index.js"
import { codeOf } from "../../helpers/error-code.js"

describe("password strength (zxcvbn-ts)", () => {
  it("calls common and patterned passwords weak, with feedback, and long unrelated words strong", () => {
    for (const weak of ["password1", "qwertyuiop", "aaaaaaaaaaaa", "iloveyou2024"]) {
      const report = estimateStrength(weak)
      expect(report.weak).toBe(true)
      expect(report.score).toBeLessThan(3)
      expect(report.suggestions.length + (report.warning ? 1 : 0)).toBeGreaterThan(0)
    }
    expect(estimateStrength("correct horse battery staple").weak).toBe(false)
    expect(estimateStrength("x7#Kq9!mZ2@w").score).toBe(4)
  }, 30_000)

  it("refuses a weak new password with WEAK_PASSWORD and its feedback, never the password; --allow-weak keeps it", () => {
    let caught: LanvaultError | undefined
    try {
      requireStrongPassword("password123")
    } catch (error) {
      caught = error as LanvaultError
    }
    expect(caught?.code).toBe("WEAK_PASSWORD")
    expect(caught?.message).not.toContain("password123")
    expect(caught?.data?.score).toBeLessThan(3)
    expect(requireStrongPassword("password123", { allowWeak: true }).weak).toBe(true)
    expect(codeOf(() => requireStrongPassword("a different pass phrase"))).toBeUndefined()
  })

  it("a password built on the context (the device name) scores lower than without it", () => {
    const alone = estimateStrength("zanzibar-desk7")
    const withName = estimateStrength("zanzibar-desk7", ["zanzibar"])
    expect(withName.guessesLog10).toBeLessThan(alone.guessesLog10)
  })
})
