import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { invalidUtf8Offset, lineAtByte } from "../../../src/import/decode-text.js"
import { csvLine, readCsv } from "../../../src/import/csv-text.js"
import { jsonErrorOffset, lineAt } from "../../../src/import/json-text.js"

const strictDecoder = () => new TextDecoder("utf-8", { fatal: true })

function decodes(bytes: Uint8Array): boolean {
  try {
    strictDecoder().decode(bytes)
    return true
  } catch {
    return false
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe("invalidUtf8Offset", () => {
  it("agrees with the strict TextDecoder, and everything before the offset decodes", () => {
    const utf8ish = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 20 }).map((s) => new TextEncoder().encode(s)),
      fc.tuple(fc.string({ unit: "binary", maxLength: 10 }), fc.uint8Array({ maxLength: 4 }), fc.string({ maxLength: 10 })).map(
        ([a, junk, b]) => new Uint8Array([...new TextEncoder().encode(a), ...junk, ...new TextEncoder().encode(b)]),
      ),
    )
    fc.assert(
      fc.property(utf8ish, (bytes) => {
        const offset = invalidUtf8Offset(bytes)
        expect(offset === bytes.length).toBe(decodes(bytes))
        expect(decodes(bytes.subarray(0, offset))).toBe(true)
      }),
      { numRuns: 2_000 },
    )
  })

  it("finds overlong forms, surrogates and cut-short sequences", () => {
    expect(invalidUtf8Offset(new Uint8Array([0x41, 0xc0, 0x80]))).toBe(1)
    expect(invalidUtf8Offset(new Uint8Array([0x41, 0x42, 0xed, 0xa0, 0x80]))).toBe(2)
    expect(invalidUtf8Offset(new Uint8Array([0xe6, 0x97]))).toBe(0)
    expect(invalidUtf8Offset(new Uint8Array([0xf4, 0x90, 0x80, 0x80]))).toBe(0)
    expect(lineAtByte(new TextEncoder().encode("a\nb\nc"), 4)).toBe(3)
  })
})

describe("jsonErrorOffset", () => {
  it("finds an error exactly when JSON.parse does", () => {
    const texts = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.json().chain((json) => fc.nat(json.length).map((cut) => json.slice(0, cut))),
      fc.json().chain((json) => fc.tuple(fc.nat(json.length), fc.constantFrom(",", "}", "]", '"', "\\", ":", "x", "\n", "\u0001")).map(
        ([at, c]) => json.slice(0, at) + c + json.slice(at),
      )),
      fc.json({ maxDepth: 4 }),
    )
    fc.assert(
      fc.property(texts, (text) => {
        expect(jsonErrorOffset(text) === -1).toBe(parses(text))
      }),
      { numRuns: 3_000 },
    )
  })

  it("says a cut-short document ends early, and points into a broken line", () => {
    expect(jsonErrorOffset('{"a": [1, 2')).toBe(11)
    const text = '{\n  "a": 1,\n  "b": tru\n}'
    expect(lineAt(text, jsonErrorOffset(text))).toBe(3)
    expect(jsonErrorOffset("[".repeat(100_000))).toBe(100_000)
  })
})

describe("readCsv and csvLine", () => {
  it("read back any cells csvLine wrote, with each row's starting line", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "é", "日", "🎉", ",", '"', "\n", " ", "|", ";"), maxLength: 8 })
    const rows = fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 10 })
    fc.assert(
      fc.property(rows, (table) => {
        const parsed = readCsv(table.map(csvLine).join("\n"), "test")
        // A row of blanks alone on its line is an empty line, so tables here have >= 2 cells per row.
        expect(parsed.map((row) => row.cells)).toEqual(table)
        let line = 1
        parsed.forEach((row, i) => {
          expect(row.line).toBe(line)
          line += csvLine(table[i]).split("\n").length
        })
      }),
      { numRuns: 1_000 },
    )
  })
})
