import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LineReader } from "../../../src/api/line-reader.js"

const bytes = (text: string) => Buffer.from(text, "utf8")

describe("LineReader", () => {
  it("splits lines across chunks and drops \\r", () => {
    const reader = new LineReader()
    expect(reader.push(bytes('{"a":1}\n{"b"'))).toEqual({ lines: ['{"a":1}'], tooLarge: false })
    expect(reader.push(bytes(':2}\r\n\n'))).toEqual({ lines: ['{"b":2}', ""], tooLarge: false })
  })

  it("keeps a multi-byte character split between chunks whole", () => {
    const reader = new LineReader()
    const encoded = bytes("pässwörd\n")
    expect(reader.push(encoded.subarray(0, 2)).lines).toEqual([])
    expect(reader.push(encoded.subarray(2)).lines).toEqual(["pässwörd"])
  })

  it("accepts a line of exactly the limit and refuses one byte more, once", () => {
    const reader = new LineReader({ maxLineBytes: 4 })
    expect(reader.push(bytes("abcd\n"))).toEqual({ lines: ["abcd"], tooLarge: false })
    expect(reader.push(bytes("ok\nabcde"))).toEqual({ lines: ["ok"], tooLarge: true })
    expect(reader.overflowed).toBe(true)
    expect(reader.push(bytes("x\n"))).toEqual({ lines: [], tooLarge: false })
  })

  it("detects an over-long line arriving in small pieces without a newline", () => {
    const reader = new LineReader({ maxLineBytes: 10 })
    let tooLarge = false
    for (let i = 0; i < 20 && !tooLarge; i++) tooLarge = reader.push(bytes("xx")).tooLarge
    expect(tooLarge).toBe(true)
  })

  it("returns the unterminated last line at the end of the stream", () => {
    const reader = new LineReader()
    reader.push(bytes("a\nbc"))
    expect(reader.end()).toEqual(["bc"])
    expect(reader.end()).toEqual([])
  })

  it("yields the same lines however the stream is cut", () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((s) => !s.includes("\n") && !s.endsWith("\r"))), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const stream = bytes(lines.map((line) => `${line}\n`).join(""))
        const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b)
        const reader = new LineReader()
        const out: string[] = []
        let start = 0
        for (const point of [...points, stream.length]) {
          out.push(...reader.push(stream.subarray(start, point)).lines)
          start = point
        }
        expect(out).toEqual(lines)
      }),
    )
  })
})
