import { describe, expect, it } from "vitest"
import { asciiJson, frozenListBytes, frozenListJson } from "../../../src/api/frozen-json.js"
import { encodeResult, encodeResultLine } from "../../../src/api/rpc-codec.js"

const NON_ASCII = /[^\x00-\x7f]/

/** What a client reads from a response line (its pieces joined, as the socket sends them). */
function received(line: string | readonly Uint8Array[]): unknown {
  return JSON.parse(typeof line === "string" ? line : Buffer.concat(line).toString("utf8"))
}

function summary(i: number): object {
  const fields = Object.freeze({ username: Object.freeze({ kind: "text", value: `user "${i}" ✓` }), password: Object.freeze({ kind: "secret" }) })
  return Object.freeze({ id: `id-${i}`, title: `Title ${i}`, fields, tags: Object.freeze(["a", "b"]), favorite: i % 2 === 0 })
}

describe("list responses joined from cached JSON", () => {
  it("a long list of frozen objects encodes as ASCII JSON that parses to what JSON.stringify's does, call after call", () => {
    const list = Array.from({ length: 200 }, (_, i) => summary(i))
    expect(JSON.parse(frozenListJson(list)!)).toEqual(JSON.parse(JSON.stringify(list)))
    expect(frozenListJson(list)).not.toMatch(NON_ASCII)
    expect(frozenListJson(list)).toBe(asciiJson(JSON.stringify(list)))
    const reordered = [...list].reverse().slice(10)
    expect(JSON.parse(frozenListJson(reordered)!)).toEqual(JSON.parse(JSON.stringify(reordered)))
    expect(JSON.parse(encodeResult(7, list))).toEqual({ jsonrpc: "2.0", id: 7, result: JSON.parse(JSON.stringify(list)) })
    expect(JSON.parse(encodeResult("x\"y", list)).id).toBe("x\"y")
  })

  it("escapes every character outside ASCII, those beyond U+FFFF and the line separators too, and JSON.parse reads them back", () => {
    const text = "müller ✓ 🔑 \u2028\u2029 \"quoted\" \\ plain"
    const json = asciiJson(JSON.stringify({ text }))
    expect(json).not.toMatch(NON_ASCII)
    expect(JSON.parse(json)).toEqual({ text })
    expect(asciiJson("[1,\"a\"]")).toBe("[1,\"a\"]")
  })

  it("the socket's line is the list's cached bytes between head and tail, and a client reads the same objects; a string id outside ASCII too", () => {
    const list = Object.freeze(Array.from({ length: 100 }, (_, i) => summary(i)))
    const line = encodeResultLine("ïd ✓", list)
    expect(Array.isArray(line)).toBe(true)
    expect((line as Uint8Array[])[1]).toBe(frozenListBytes(list))
    expect(Buffer.concat(line as Uint8Array[]).toString("latin1")).not.toMatch(NON_ASCII)
    expect(received(line)).toEqual({ jsonrpc: "2.0", id: "ïd ✓", result: JSON.parse(JSON.stringify(list)) })
    expect(encodeResultLine(3, { ok: true })).toBe(JSON.stringify({ jsonrpc: "2.0", id: 3, result: { ok: true } }))
  })

  it("leaves short lists and lists with any unfrozen item to JSON.stringify", () => {
    expect(frozenListJson(Array.from({ length: 10 }, (_, i) => summary(i)))).toBeUndefined()
    const mixed = [...Array.from({ length: 100 }, (_, i) => summary(i)), { id: "mutable" }]
    expect(frozenListJson(mixed)).toBeUndefined()
    expect(frozenListJson({ length: 100 })).toBeUndefined()
  })

  it("reuses a frozen list's whole JSON, and still encodes a list whose items were cached before but one is not frozen", () => {
    const list = Object.freeze(Array.from({ length: 100 }, (_, i) => summary(i)))
    const first = frozenListBytes(list)
    expect(JSON.parse(first!.toString("latin1"))).toEqual(JSON.parse(JSON.stringify(list)))
    expect(frozenListBytes(list)).toBe(first)
    const withMutable = [...list.slice(0, 99), { id: "mutable", title: "changes" }]
    expect(frozenListJson(withMutable)).toBeUndefined()
    expect(encodeResult(1, withMutable)).toBe(JSON.stringify({ jsonrpc: "2.0", id: 1, result: withMutable }))
  })
})
