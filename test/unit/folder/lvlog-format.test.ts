import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { accountTagOf, checkRun, deviceIdOfFileName, encodeEntries, encodeLogFile, LVLOG_MAGIC, logFileName, parseLogChunk } from "../../../src/folder/lvlog-format.js"
import { encodeEntry, sameEntry } from "../../../src/store/log-entry.js"
import { makeAccount, sealEntries } from "./folder-fixtures.js"

const account = makeAccount(["a", "b"])
const [a, b] = account.devices
const entries = sealEntries(account, a, 1, 3)

describe("lvlog format", () => {
  it("reads back every entry of a whole file", () => {
    const file = encodeLogFile(entries)
    const parsed = parseLogChunk(file, true)
    expect(parsed.error).toBeUndefined()
    expect(parsed.incomplete).toBe(false)
    expect(parsed.consumed).toBe(file.length)
    expect(parsed.entries.every((entry, i) => sameEntry(entry, entries[i]))).toBe(true)
    expect(parsed.ends.at(-1)).toBe(file.length)
  })

  it("a cut-off entry at the end is incomplete, not corrupt, at every cut", () => {
    const file = encodeLogFile(entries)
    const lastStart = file.length - encodeEntry(entries[2]).length
    for (let cut = lastStart + 1; cut < file.length; cut++) {
      const parsed = parseLogChunk(file.subarray(0, cut), true)
      expect(parsed.error).toBeUndefined()
      expect(parsed.incomplete).toBe(true)
      expect(parsed.entries).toHaveLength(2)
      expect(parsed.consumed).toBe(lastStart)
    }
  })

  it("a prefix of the magic is incomplete; other bytes are not a log file", () => {
    expect(parseLogChunk(LVLOG_MAGIC.subarray(0, 3), true)).toMatchObject({ incomplete: true, consumed: 0 })
    expect(parseLogChunk(new TextEncoder().encode("hello"), true).error?.code).toBe("CORRUPT_DATA")
  })

  it("zeros after good entries are a write still landing, not corruption", () => {
    const file = new Uint8Array([...encodeLogFile(entries.slice(0, 2)), ...new Uint8Array(50)])
    const parsed = parseLogChunk(file, true)
    expect(parsed).toMatchObject({ incomplete: true, consumed: file.length - 50 })
    expect(parsed.error).toBeUndefined()
  })

  it("garbage after good entries is an error that keeps the good ones", () => {
    const file = new Uint8Array([...encodeLogFile(entries.slice(0, 2)), 9, 9, 9])
    const parsed = parseLogChunk(file, true)
    expect(parsed.entries).toHaveLength(2)
    expect(parsed.error?.code).toBe("CORRUPT_DATA")
  })

  it("a chunk from an entry boundary has no magic", () => {
    const parsed = parseLogChunk(encodeEntries(entries.slice(1)), false)
    expect(parsed.entries.map((e) => e.seq)).toEqual([2, 3])
  })

  it("never throws on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, atStart) => {
      const parsed = parseLogChunk(bytes, atStart)
      expect(parsed.consumed).toBeLessThanOrEqual(bytes.length)
    }))
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
      const parsed = parseLogChunk(new Uint8Array([...encodeLogFile(entries), ...tail]), true)
      expect(parsed.entries.length).toBeGreaterThanOrEqual(3)
    }))
  })

  it("checkRun accepts one device's consecutive seqs only", () => {
    expect(checkRun(entries, a.deviceId, 0)).toEqual({ valid: 3 })
    expect(checkRun(entries.slice(1), a.deviceId, undefined)).toEqual({ valid: 2 })
    expect(checkRun(entries.slice(1), a.deviceId, 0).valid).toBe(0)
    expect(checkRun([entries[0], entries[2]], a.deviceId, undefined)).toMatchObject({ valid: 1, error: { code: "CORRUPT_DATA" } })
    expect(checkRun(entries, b.deviceId, undefined)).toMatchObject({ valid: 0, error: { code: "CORRUPT_DATA" } })
  })

  it("derives a stable account tag that is not the account id", () => {
    const tag = accountTagOf(account.accountId)
    expect(tag).toMatch(/^[0-9a-f]{16}$/)
    expect(accountTagOf(account.accountId.slice())).toBe(tag)
    expect(Buffer.from(account.accountId).toString("hex")).not.toContain(tag)
  })

  it("names files after their device", () => {
    expect(deviceIdOfFileName(logFileName(a.deviceId))).toBe(a.deviceId)
    expect(deviceIdOfFileName(`.${logFileName(a.deviceId)}.tmp-1`)).toBeUndefined()
    expect(deviceIdOfFileName("notes.txt")).toBeUndefined()
  })
})
