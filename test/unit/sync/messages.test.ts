import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { decodeMessage, encodeMessage, type SyncMessage, type TrustInfo } from "../../../src/sync/messages.js"
import { fakeEntry } from "../store/fixtures.js"
import { NO_KEYSET } from "../../../src/store/keyset-rank.js"

const A = "a".repeat(32)
const B = "0123456789abcdef0123456789abcdef"

const laptop: TrustInfo = { deviceId: A, name: "laptop ✓", signPublic: new Uint8Array(32).fill(1), dhPublic: new Uint8Array(32).fill(2), addedAt: 1_700_000_000_000 }
const revoked: TrustInfo = { deviceId: B, name: "", signPublic: new Uint8Array(32).fill(3), dhPublic: new Uint8Array(32).fill(4), addedAt: 5, revokedAt: 0, renamedAt: 1_700_000_000_001 }

const renamed: TrustInfo = { ...laptop, deviceId: "c".repeat(32), name: "study", renamedAt: 1_700_000_000_002, renameSig: new Uint8Array(64).fill(8) }

const samples: SyncMessage[] = [
  { type: "hello", vector: { [A]: 3, [B]: 1 }, keyset: { version: 7, digest: new Uint8Array(32).fill(9) }, trust: [laptop, revoked, renamed] },
  { type: "hello", vector: {}, keyset: NO_KEYSET, trust: [] },
  { type: "hello", vector: { [A]: 9 }, floor: { [A]: 5 }, keyset: NO_KEYSET, trust: [] },
  { type: "snapshot", bucketCount: 64, bucket: 63, epoch: 7, vector: { [A]: 3, [B]: 1 }, ciphertext: new Uint8Array([1, 2, 3]), signature: new Uint8Array(64).fill(6) },
  { type: "entries", entries: [fakeEntry(A, 1), fakeEntry(A, 2), fakeEntry(B, 9)] },
  { type: "entries", entries: [], final: true, total: 0 },
  { type: "entries", entries: [fakeEntry(B, 1)], total: 5000 },
  { type: "ack", count: 500 },
  { type: "keyset", version: 3, accountKey: new Uint8Array(16).fill(5), blob: new Uint8Array([9, 8, 7]) },
  { type: "trust", devices: [revoked] },
  { type: "control", kind: "revoke", body: new Uint8Array([1, 2, 3]) },
  { type: "control", kind: "reset", body: new Uint8Array() },
]

function expectProtocolError(fn: () => unknown): void {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(LanvaultError)
    expect((error as LanvaultError).code).toBe("PROTOCOL_ERROR")
    return
  }
  throw new Error("expected PROTOCOL_ERROR")
}

describe("sync messages", () => {
  it.each(samples.map((m) => [m.type, m] as const))("a %s message survives a round trip", (_, message) => {
    expect(decodeMessage(encodeMessage(message))).toEqual(message)
  })

  it("a rename's signature travels with its time (trust flag 0x10), never alone", () => {
    const bytes = encodeMessage({ type: "trust", devices: [renamed] })
    expect((decodeMessage(bytes) as { devices: TrustInfo[] }).devices[0]!.renameSig).toEqual(new Uint8Array(64).fill(8))
    // type, count, device id, two keys, addedAt: then the flags byte.
    const flagsAt = 1 + 4 + 16 + 64 + 8
    expect(bytes[flagsAt]! & 0x18).toBe(0x18)
    const alone = bytes.slice()
    alone[flagsAt] = alone[flagsAt]! & ~0x08
    expectProtocolError(() => decodeMessage(alone))
  })

  it("an entries message stays compact: one type byte, flags, count, then the encoded entries", () => {
    const bytes = encodeMessage({ type: "entries", entries: [fakeEntry(A, 1)] })
    expect(bytes.length).toBe(1 + 1 + 4 + (1 + 16 + 8 + 4 + 4 + 48 + 64))
  })

  it("every truncation of a valid message is refused with PROTOCOL_ERROR", () => {
    for (const message of samples) {
      const bytes = encodeMessage(message)
      // keyset and control end in an open-ended blob: only their fixed head can be cut short.
      const end = message.type === "keyset" ? 9 : message.type === "control" ? 2 + message.kind.length : bytes.length
      for (let cut = 0; cut < end; cut++) expectProtocolError(() => decodeMessage(bytes.subarray(0, cut)))
    }
  })

  it("refuses trailing bytes, unknown types, another protocol version and bad text", () => {
    expectProtocolError(() => decodeMessage(new Uint8Array([...encodeMessage({ type: "ack", count: 1 }), 0])))
    expectProtocolError(() => decodeMessage(new Uint8Array([0x7f])))
    expectProtocolError(() => decodeMessage(new Uint8Array()))
    const hello = encodeMessage({ type: "hello", vector: {}, keyset: NO_KEYSET, trust: [] })
    hello[1] = 1
    expectProtocolError(() => decodeMessage(hello))
    const control = encodeMessage({ type: "control", kind: "ab", body: new Uint8Array() })
    control[2] = 0xff
    expectProtocolError(() => decodeMessage(control))
  })

  it("refuses a device named twice, a zero keyset version and a u64 beyond a safe integer", () => {
    const hello = encodeMessage({ type: "hello", vector: { [A]: 1, [B]: 2 }, keyset: NO_KEYSET, trust: [] })
    hello.set(hello.subarray(14, 30), 38)
    expectProtocolError(() => decodeMessage(hello))
    expectProtocolError(() => decodeMessage(new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0, 1])))
    expectProtocolError(() => decodeMessage(new Uint8Array([4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))
  })

  it("random bytes only ever throw LanvaultError PROTOCOL_ERROR", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      try {
        decodeMessage(bytes)
      } catch (error) {
        return error instanceof LanvaultError && error.code === "PROTOCOL_ERROR"
      }
      return true
    }), { numRuns: 3000 })
  })

  it("random bytes after a valid type byte only ever throw PROTOCOL_ERROR", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.uint8Array({ maxLength: 400 }), (type, tail) => {
      try {
        decodeMessage(new Uint8Array([type, ...tail]))
      } catch (error) {
        return error instanceof LanvaultError && error.code === "PROTOCOL_ERROR"
      }
      return true
    }), { numRuns: 3000 })
  })

  it("a valid message with random bytes flipped decodes or throws PROTOCOL_ERROR", () => {
    const encoded = samples.map(encodeMessage)
    fc.assert(fc.property(fc.integer({ min: 0, max: encoded.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (which, flips) => {
      const bytes = encoded[which].slice()
      for (const [at, value] of flips) bytes[at % bytes.length] = value
      try {
        decodeMessage(bytes)
      } catch (error) {
        return error instanceof LanvaultError && error.code === "PROTOCOL_ERROR"
      }
      return true
    }), { numRuns: 3000 })
  })
})

describe("sync message limits", () => {
  it("a local device name beyond the limit is cut at a character boundary, not refused", () => {
    const name = "é".repeat(600)
    const [info] = (decodeMessage(encodeMessage({ type: "trust", devices: [{ ...laptop, name }] })) as { devices: TrustInfo[] }).devices
    expect(new TextEncoder().encode(info.name).length).toBe(1024)
    expect(info.name).toBe("é".repeat(512))
  })

  it("a control kind must be 1 to 64 bytes", () => {
    expect(() => encodeMessage({ type: "control", kind: "", body: new Uint8Array() })).toThrow(TypeError)
    expect(() => encodeMessage({ type: "control", kind: "k".repeat(65), body: new Uint8Array() })).toThrow(TypeError)
  })
})
