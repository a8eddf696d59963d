import { describe, expect, it, vi } from "vitest"
import { asciiJson, summaryRowsBytes } from "../../../src/api/frozen-json.js"
import { encodeResult, encodeResultLine } from "../../../src/api/rpc-codec.js"
import { decodeListResult, SUMMARY_COLUMNS, summaryRowJson, SummaryRows } from "../../../src/api/summary-rows.js"
import type { RecordSummary } from "../../../src/merge/types.js"
import { codeOf } from "../../helpers/error-code.js"

const NON_ASCII = /[^\x00-\x7f]/

function summary(i: number): RecordSummary {
  const fields: RecordSummary["fields"] = i % 3 === 0
    ? { password: { kind: "secret" }, url: { kind: "url", value: `https://müller.example/${i}` }, username: { kind: "email", value: `u${i}@x.org` } }
    : i % 3 === 1 ? {} : { cvv: { kind: "secret" }, "note \"q\" 🔑": { kind: "text", value: "a\u2028b" }, totp: { kind: "totp" } }
  return deepFreeze({
    id: `0123abcd-0000-0000-0000-${String(i).padStart(12, "0")}`, type: i % 2 ? "login" : "card", title: `Title ✓ ${i}`,
    tags: i % 4 ? ["work", "ß"] : [], favorite: i % 5 === 0, trashed: i % 7 === 0, createdAt: 1_700_000_000_000 + i, updatedAt: 1_700_000_000_500 + i, fields,
  })
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) for (const inner of Object.values(value)) deepFreeze(inner)
  return Object.freeze(value)
}

/** What a client reads from a response line's pieces (as the socket sends them). */
function received(line: string | readonly Uint8Array[]): { result: unknown } {
  return JSON.parse(typeof line === "string" ? line : Buffer.concat(line).toString("latin1"))
}

describe("records.list as rows", () => {
  it("a list's rows, as the socket sends them, decode to the object form exactly: same values, same key order, hidden values absent", () => {
    const list = Object.freeze(Array.from({ length: 120 }, (_, i) => summary(i)))
    const line = encodeResultLine(4, new SummaryRows(list))
    const bytes = Buffer.concat(line as Uint8Array[])
    expect(bytes.toString("latin1")).not.toMatch(NON_ASCII)
    const wire = received(line).result as { columns: string[]; rows: unknown[][] }
    expect(wire.columns).toEqual([...SUMMARY_COLUMNS])
    const decoded = decodeListResult(wire)
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(list))
    expect(bytes.length).toBeLessThan(0.8 * Buffer.byteLength(JSON.stringify(list)))
    // The string form (JSON.stringify through toJSON) says the same.
    expect(received(encodeResult(4, new SummaryRows(list)))).toEqual(received(line))
  })

  it("a page carries its records as rows and keeps its next cursor; the last page (no next) stays a page; an empty list is an empty list", () => {
    const records = [summary(1), summary(2)]
    const page = received(encodeResultLine(1, { records: new SummaryRows(records), next: "cur\"sor ✓" })).result
    expect(page).toEqual({ records: { columns: [...SUMMARY_COLUMNS], rows: expect.any(Array) }, next: "cur\"sor ✓" })
    expect(decodeListResult(page)).toEqual({ records, next: "cur\"sor ✓" })
    const last = decodeListResult(received(encodeResultLine(1, { records: new SummaryRows(records) })).result)
    expect(last).toEqual({ records })
    expect(decodeListResult(received(encodeResultLine(1, new SummaryRows([]))).result)).toEqual([])
  })

  it("reuses a frozen list's row bytes, and encodes rows of summaries that are not frozen without keeping them", () => {
    const list = Object.freeze(Array.from({ length: 80 }, (_, i) => summary(i)))
    const first = summaryRowsBytes(list)
    expect(summaryRowsBytes(list)).toBe(first)
    const loose = [...list.slice(0, 3), { ...summary(3), title: "changed" }]
    expect(summaryRowsBytes(loose)).not.toBe(summaryRowsBytes(loose))
    expect(decodeListResult({ columns: [...SUMMARY_COLUMNS], rows: JSON.parse(summaryRowsBytes(loose).toString("latin1")) })).toEqual(loose)
  })

  it("encodes a list none of whose rows is known whole, and the next list of those summaries row by row: the same bytes either way", () => {
    const summaries = Array.from({ length: 90 }, (_, i) => summary(1_000 + i))
    const expected = Buffer.from(asciiJson(JSON.stringify(summaries.map((s) => JSON.parse(summaryRowJson(s))))), "latin1")
    // The same summaries in a new array: what the next list is after a change elsewhere.
    for (const list of [Object.freeze([...summaries]), Object.freeze([...summaries])]) {
      expect(summaryRowsBytes(list).equals(expected)).toBe(true)
      expect(summaryRowsBytes(list)).toBe(summaryRowsBytes(list))
    }
  })

  it("the first list of every unlock is encoded whole, though the last list of the session before was too: no state outlives a session's summaries", () => {
    const stringify = vi.spyOn(JSON, "stringify")
    try {
      const calls = (encode: () => unknown) => {
        stringify.mockClear()
        encode()
        return stringify.mock.calls.length
      }
      for (const session of [3_000, 4_000]) {
        // An unlock's summaries are new objects; its first list is the only one of the session before a lock.
        const summaries = Array.from({ length: 90 }, (_, i) => summary(session + i))
        expect(calls(() => summaryRowsBytes(Object.freeze([...summaries])))).toBe(1) // whole: one JSON.stringify
      }
      const summaries = Array.from({ length: 90 }, (_, i) => summary(5_000 + i))
      summaryRowsBytes(Object.freeze([...summaries]))
      // After a change elsewhere (a new array, its ends unchanged): its rows cached one by one, then joined.
      const changed = [...summaries.slice(0, 40), summary(6_000), ...summaries.slice(41)]
      expect(calls(() => summaryRowsBytes(Object.freeze([...changed])))).toBe(90)
      expect(calls(() => summaryRowsBytes(Object.freeze([...changed])))).toBe(0)
    } finally {
      stringify.mockRestore()
    }
  })

  it("reads other columns (an older or newer daemon) by name, and passes the object form through", () => {
    const wire = { columns: ["id", "title", "icon", "fields"], rows: [["a", "A", "key", ["pin", "secret", null, "__proto__", "text", "x"]]] }
    const [record] = decodeListResult(wire) as Array<Record<string, unknown>>
    expect(record).toEqual({ id: "a", title: "A", icon: "key", fields: { pin: { kind: "secret" }, ["__proto__"]: { kind: "text", value: "x" } } })
    expect(Object.getPrototypeOf(record.fields)).toBe(Object.prototype)
    const objects = [summary(1)]
    expect(decodeListResult(objects)).toBe(objects)
    const page = { records: objects, next: "n" }
    expect(decodeListResult(page)).toBe(page)
  })

  it("refuses malformed rows with PROTOCOL_ERROR", () => {
    const columns = [...SUMMARY_COLUMNS]
    const row = JSON.parse(JSON.stringify(received(encodeResultLine(1, new SummaryRows([summary(0)]))).result)).rows[0] as unknown[]
    expect(codeOf(() => decodeListResult({ columns, rows: [row.slice(1)] }))).toBe("PROTOCOL_ERROR")
    expect(codeOf(() => decodeListResult({ columns, rows: [[...row.slice(0, 8), ["name", "text"]]] }))).toBe("PROTOCOL_ERROR")
    expect(codeOf(() => decodeListResult({ columns, rows: [[...row.slice(0, 8), [7, "text", "v"]]] }))).toBe("PROTOCOL_ERROR")
    expect(codeOf(() => decodeListResult({ columns: [1, 2], rows: [] }))).toBe("PROTOCOL_ERROR")
    expect(codeOf(() => decodeListResult({ columns, rows: ["not a row"] }))).toBe("PROTOCOL_ERROR")
    expect(codeOf(() => decodeListResult({ records: { columns, rows: [] }, next: 5 }))).toBe("PROTOCOL_ERROR")
  })
})
