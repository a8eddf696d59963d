import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { incrementNonce } from "../../../src/browser/box-session.js"
import { JsonObjectSplitter } from "../../../src/browser/json-stream.js"
import { encodeNativeMessage, NativeMessageReader } from "../../../src/browser/native-messaging.js"

describe("splitting the proxy's unframed JSON stream", () => {
  it("finds every object however the stream is cut, strings with braces included", () => {
    const object = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })), { maxKeys: 4 })
    fc.assert(
      fc.property(fc.array(object, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (objects, cuts) => {
        const text = objects.map((o) => JSON.stringify(o)).join(" \n")
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
        const splitter = new JsonObjectSplitter(1 << 20)
        const out: string[] = []
        let previous = 0
        for (const point of [...points, text.length]) {
          out.push(...splitter.push(text.slice(previous, point)))
          previous = point
        }
        expect(out.map((o) => JSON.parse(o))).toEqual(objects)
      }),
    )
  })

  it("refuses text outside an object and objects over the limit", () => {
    expect(() => new JsonObjectSplitter(100).push("nope")).toThrow(SyntaxError)
    expect(() => new JsonObjectSplitter(100).push(`{"a":"${"x".repeat(200)}`)).toThrow(RangeError)
  })

  it("never throws anything but its two errors on random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          new JsonObjectSplitter(64).push(text)
        } catch (error) {
          expect(error instanceof SyntaxError || error instanceof RangeError).toBe(true)
        }
      }),
    )
  })
})

describe("native messaging frames", () => {
  it("round-trips messages cut anywhere", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 50 }), { maxLength: 5 }), fc.nat(), (messages, cut) => {
        const bytes = Buffer.concat(messages.map((m) => encodeNativeMessage(JSON.stringify(m))))
        const at = bytes.length === 0 ? 0 : cut % bytes.length
        const reader = new NativeMessageReader()
        const out = [...reader.push(bytes.subarray(0, at)), ...reader.push(bytes.subarray(at))]
        expect(out.map((m) => JSON.parse(m))).toEqual(messages)
      }),
    )
  })

  it("refuses a frame over the limit", () => {
    const header = Buffer.alloc(4)
    header.writeUInt32LE(2 * 1024 * 1024)
    expect(() => new NativeMessageReader().push(header)).toThrow(RangeError)
  })
})

describe("nonces", () => {
  it("increments nonces as libsodium does (little-endian with carry)", () => {
    expect([...incrementNonce(Uint8Array.from([0xff, 0xff, 0x01]))]).toEqual([0, 0, 2])
    expect([...incrementNonce(Uint8Array.from([0xff, 0xff]))]).toEqual([0, 0])
  })
})
