import { describe, expect, it } from "vitest"
import { checkHint, MAX_HINT_CHARS, parseStoredHint } from "../../../src/account/index.js"
import { LanvaultError } from "../../../src/errors.js"

describe("password hint", () => {
  it("keeps a trimmed hint, and none for empty", () => {
    expect(checkHint("  the horse poem  ", "correct horse battery")).toBe("the horse poem")
    expect(checkHint("   ", "correct horse battery")).toBeUndefined()
    expect(checkHint(undefined, "correct horse battery")).toBeUndefined()
  })

  it("refuses a hint containing the password (any case), without echoing either", () => {
    for (const hint of ["it is correct horse battery", "CORRECT HORSE BATTERY!"]) {
      let caught: LanvaultError | undefined
      try {
        checkHint(hint, "correct horse battery")
      } catch (error) {
        caught = error as LanvaultError
      }
      expect(caught?.code).toBe("INVALID_PARAMS")
      expect(caught?.message.toLowerCase()).not.toContain("correct horse")
    }
  })

  it("refuses an over-long hint and reads only well-formed stored hints", () => {
    expect(() => checkHint("x".repeat(MAX_HINT_CHARS + 1), "correct horse battery")).toThrow(LanvaultError)
    expect(parseStoredHint('{"text":"t","salt":"s"}')).toEqual({ text: "t", salt: "s" })
    expect(parseStoredHint("{")).toBeUndefined()
    expect(parseStoredHint('{"text":1}')).toBeUndefined()
  })
})
