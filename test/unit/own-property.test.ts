import { describe, expect, it } from "vitest"
import { setOwn } from "../../src/own-property.js"

describe("setOwn", () => {
  it('keeps a key named "__proto__" an own enumerable property, the prototype untouched, as JSON.parse does', () => {
    const object: Record<string, unknown> = {}
    setOwn(object, "__proto__", { polluted: true })
    setOwn(object, "name", "v")
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype)
    expect(Object.keys(object)).toEqual(["__proto__", "name"])
    expect(JSON.stringify(object)).toBe('{"__proto__":{"polluted":true},"name":"v"}')
    expect(object).toEqual(JSON.parse('{"__proto__":{"polluted":true},"name":"v"}'))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
