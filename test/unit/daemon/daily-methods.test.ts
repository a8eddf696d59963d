import { describe, expect, it } from "vitest"
import { createDailyMethods } from "../../../src/daemon/daily-methods.js"

const noRecords = { list: () => [], get: () => { throw new Error("no records") } }

describe("strength (the app's strength meter)", () => {
  it("scores a common password low and a generated one high, never echoing the secret", () => {
    const methods = createDailyMethods(noRecords)
    const weak = methods.strength({ secret: "password1" })
    expect(weak.score).toBeLessThan(2)
    expect(weak.weak).toBe(true)
    expect(JSON.stringify(weak)).not.toContain("password1")
    const strong = methods.strength({ secret: methods.generate({ length: 20 }).value })
    expect(strong.score).toBe(4)
  })

  it("scores a secret built on its context words lower", () => {
    const methods = createDailyMethods(noRecords)
    const plain = methods.strength({ secret: "Zebulon-Marchetti" })
    const inContext = methods.strength({ secret: "Zebulon-Marchetti", context: ["Zebulon", "Marchetti"] })
    expect(inContext.guessesLog10).toBeLessThan(plain.guessesLog10)
  })

  it("refuses a missing secret and a malformed context", () => {
    const methods = createDailyMethods(noRecords)
    expect(() => methods.strength({} as never)).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    expect(() => methods.strength({ secret: "x", context: "word" as never })).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
  })
})
