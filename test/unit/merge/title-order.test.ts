import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compareTitles } from "../../../src/merge/list-filter.js"

const COLLATOR = new Intl.Collator("en", { sensitivity: "base", numeric: true })
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
/** Pieces that meet at the edges of the fast path: zeros, digit runs, spaces, punctuation, case. */
const PIECES = ["a", "A", "b", "Z", " ", "0", "00", "1", "9", "10", "007", "-", "_", ".", "$", "~", "'", "\"", "\\", "x2"]

const ascii = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.constantFrom(...PRINTABLE)), { maxLength: 8 }).map((parts) => parts.join(""))
const anything = fc.oneof(ascii, fc.string({ unit: "binary", maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 4 }), fc.stringMatching(/^[0-9]{14,20}$/))

describe("the title order (compareTitles)", () => {
  it("orders printable ASCII titles exactly as the collator does (property)", () => {
    fc.assert(fc.property(ascii, ascii, (a, b) => {
      expect(Math.sign(compareTitles(a, b))).toBe(Math.sign(COLLATOR.compare(a, b)))
    }), { numRuns: 20_000 })
  })

  it("orders any titles exactly as the collator does, the unusual ones through it (property)", () => {
    fc.assert(fc.property(anything, anything, (a, b) => {
      expect(Math.sign(compareTitles(a, b))).toBe(Math.sign(COLLATOR.compare(a, b)))
    }), { numRuns: 5_000 })
  })

  it("sorts numbers by value, case and leading zeros aside", () => {
    const titles = ["Router 10", "router 2", "Router 02", "a", "B", "", " ", "z9", "Z10", "$5", "_x"]
    expect([...titles].sort(compareTitles)).toEqual([...titles].sort(COLLATOR.compare))
    expect(compareTitles("Router 2", "Router 02")).toBe(0)
    expect(compareTitles("Router 2", "Router 10")).toBeLessThan(0)
  })
})
