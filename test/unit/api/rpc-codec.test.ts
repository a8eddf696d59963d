import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  checkParams, decodeError, encodeError, encodeEvent, encodeResult, errorObject, parseEventNames, parseIncoming, parseRequest, toWireError,
} from "../../../src/api/rpc-codec.js"
import { EVENT_NAMES } from "../../../src/api/protocol.js"
import { LanvaultError, LockedError, TooManyAttemptsError, rpcCodeOf } from "../../../src/errors.js"
import { recordingLogger } from "./helpers.js"
import { codeOf } from "../../helpers/error-code.js"

describe("parseRequest", () => {
  it("accepts a request and keeps id, method and params", () => {
    expect(parseRequest('{"jsonrpc":"2.0","id":7,"method":"records.get","params":{"id":"r1"}}')).toEqual({
      ok: true,
      request: { id: 7, method: "records.get", params: { id: "r1" } },
    })
  })

  it("reads a request without an id as a notification", () => {
    const parsed = parseRequest('{"jsonrpc":"2.0","method":"lock"}')
    expect(parsed.ok && parsed.request.id).toBeUndefined()
  })

  it("answers PARSE_ERROR for bad JSON, with a null id", () => {
    expect(parseRequest("{nope")).toMatchObject({ ok: false, id: null, error: { code: "PARSE_ERROR" } })
  })

  it.each([
    ["an array", "[1,2]"],
    ["a string", '"status"'],
    ["null", "null"],
    ["a wrong version", '{"jsonrpc":"1.0","id":1,"method":"status"}'],
    ["no version", '{"id":1,"method":"status"}'],
    ["a missing method", '{"jsonrpc":"2.0","id":1}'],
    ["an empty method", '{"jsonrpc":"2.0","id":1,"method":""}'],
    ["a non-string method", '{"jsonrpc":"2.0","id":1,"method":3}'],
    ["an object id", '{"jsonrpc":"2.0","id":{},"method":"status"}'],
    ["a boolean id", '{"jsonrpc":"2.0","id":true,"method":"status"}'],
    ["an infinite id", '{"jsonrpc":"2.0","id":1e999,"method":"status"}'],
  ])("answers INVALID_REQUEST for %s", (_, line) => {
    expect(parseRequest(line)).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } })
  })

  it("echoes a valid id in an INVALID_REQUEST answer", () => {
    expect(parseRequest('{"jsonrpc":"2.0","id":"a"}')).toMatchObject({ ok: false, id: "a" })
  })

  it("turns any random line into a request or a PARSE_ERROR / INVALID_REQUEST, never a throw", () => {
    const lines = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify({ jsonrpc: "2.0", id: value, method: value, params: value })),
      fc.record({ jsonrpc: fc.constantFrom("2.0", "1.0", 2), id: fc.jsonValue(), method: fc.jsonValue() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    )
    fc.assert(
      fc.property(lines, (line) => {
        const parsed = parseRequest(line)
        if (parsed.ok) {
          expect(typeof parsed.request.method).toBe("string")
          expect(parsed.request.method).not.toBe("")
        } else {
          expect(["PARSE_ERROR", "INVALID_REQUEST"]).toContain(parsed.error.code)
          expect(parsed.error).toBeInstanceOf(LanvaultError)
          // The answer must always be encodable.
          expect(() => encodeError(parsed.id, parsed.error)).not.toThrow()
        }
      }),
      { numRuns: 2_000 },
    )
  })

  it("decodes random server lines without throwing (client side)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (line) => {
        expect(["result", "error", "notification", "invalid"]).toContain(parseIncoming(line).kind)
      }),
      { numRuns: 1_000 },
    )
  })
})

describe("checkParams / parseEventNames", () => {
  it("reads absent params as {} and refuses non-objects with INVALID_PARAMS", () => {
    expect(checkParams(undefined)).toEqual({})
    expect(checkParams({ a: 1 })).toEqual({ a: 1 })
    for (const bad of [null, [], "x", 3, true]) expect(codeOf(() => checkParams(bad))).toBe("INVALID_PARAMS")
  })

  it("defaults to every event and refuses unknown names", () => {
    expect(parseEventNames(undefined)).toEqual([...EVENT_NAMES])
    expect(parseEventNames(["locked", "locked"])).toEqual(["locked"])
    expect(codeOf(() => parseEventNames(["locked", "nope"]))).toBe("INVALID_PARAMS")
    expect(codeOf(() => parseEventNames("locked"))).toBe("INVALID_PARAMS")
  })
})

describe("errors on the wire", () => {
  it("carries the JSON-RPC number, the message and data.name with the error's data", () => {
    const error = new TooManyAttemptsError(30_000)
    expect(errorObject(error)).toEqual({ code: rpcCodeOf("TOO_MANY_ATTEMPTS"), message: error.message, data: { name: "TOO_MANY_ATTEMPTS", retryAfterMs: 30_000 } })
  })

  it("round-trips a typed error through encode and decode", () => {
    const line = encodeError(3, new TooManyAttemptsError(5_000))
    const message = parseIncoming(line)
    expect(message.kind).toBe("error")
    if (message.kind !== "error") return
    expect(message.id).toBe(3)
    expect(message.error.code).toBe("TOO_MANY_ATTEMPTS")
    expect(message.error.data).toEqual({ retryAfterMs: 5_000 })
  })

  it("decodes an unknown or missing data.name as INTERNAL", () => {
    expect(decodeError({ code: -1, message: "x", data: { name: "NOPE" } }).code).toBe("INTERNAL")
    expect(decodeError(null).code).toBe("INTERNAL")
  })

  it("keeps a LanvaultError as it is", () => {
    const logger = recordingLogger()
    const error = new LockedError()
    expect(toWireError(error, logger)).toBe(error)
    expect(logger.lines).toHaveLength(0)
  })

  it("turns an unknown error into a generic INTERNAL and logs it without its message", () => {
    const logger = recordingLogger()
    const wire = toWireError(new Error("secret hunter2"), logger, { method: "unlock" })
    expect(wire.code).toBe("INTERNAL")
    expect(wire.message).not.toContain("hunter2")
    expect(logger.lines).toHaveLength(1)
    expect(logger.lines[0]).toMatchObject({ level: "error", fields: { method: "unlock", err: { name: "Error" } } })
    expect(JSON.stringify(logger.lines)).not.toContain("hunter2")
  })
})

describe("encoding", () => {
  it("sends null for an undefined result, so the response stays valid", () => {
    expect(JSON.parse(encodeResult(1, undefined))).toEqual({ jsonrpc: "2.0", id: 1, result: null })
  })

  it("frames events as `event` notifications", () => {
    expect(JSON.parse(encodeEvent({ type: "locked", reason: "idle" }))).toEqual({ jsonrpc: "2.0", method: "event", params: { type: "locked", reason: "idle" } })
  })
})
