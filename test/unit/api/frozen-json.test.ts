import { describe, expect, it } from "vitest"
import { frozenListJson } from "../../../src/api/frozen-json.js"
import { encodeResult } from "../../../src/api/rpc-codec.js"

function summary(i: number): object {
  const fields = Object.freeze({ username: Object.freeze({ kind: "text", value: `user "${i}" ✓` }), password: Object.freeze({ kind: "secret" }) })
  return Object.freeze({ id: `id-${i}`, title: `Title ${i}`, fields, tags: Object.freeze(["a", "b"]), favorite: i % 2 === 0 })
}

describe("list responses joined from cached JSON", () => {
  it("a long list of frozen objects encodes exactly as JSON.stringify does, call after call", () => {
    const list = Array.from({ length: 200 }, (_, i) => summary(i))
    expect(frozenListJson(list)).toBe(JSON.stringify(list))
    const reordered = [...list].reverse().slice(10)
    expect(frozenListJson(reordered)).toBe(JSON.stringify(reordered))
    expect(JSON.parse(encodeResult(7, list))).toEqual({ jsonrpc: "2.0", id: 7, result: JSON.parse(JSON.stringify(list)) })
    expect(JSON.parse(encodeResult("x\"y", list)).id).toBe("x\"y")
  })

  it("leaves short lists and lists with any unfrozen item to JSON.stringify", () => {
    expect(frozenListJson(Array.from({ length: 10 }, (_, i) => summary(i)))).toBeUndefined()
    const mixed = [...Array.from({ length: 100 }, (_, i) => summary(i)), { id: "mutable" }]
    expect(frozenListJson(mixed)).toBeUndefined()
    expect(frozenListJson({ length: 100 })).toBeUndefined()
  })

  it("reuses a frozen list's whole JSON, and still encodes a list whose items were cached before but one is not frozen", () => {
    const list = Object.freeze(Array.from({ length: 100 }, (_, i) => summary(i)))
    const first = frozenListJson(list)
    expect(first).toBe(JSON.stringify(list))
    expect(frozenListJson(list)).toBe(first)
    const withMutable = [...list.slice(0, 99), { id: "mutable", title: "changes" }]
    expect(frozenListJson(withMutable)).toBeUndefined()
    expect(encodeResult(1, withMutable)).toBe(JSON.stringify({ jsonrpc: "2.0", id: 1, result: withMutable }))
  })
})
