import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { generateDeviceKeys, randomBytes, toHex, utf8 } from "../../../src/crypto/index.js"
import { CorruptDataError } from "../../../src/errors.js"
import {
  decodeEntry, encodeEntry, openEntry, readEntry, sealEntry, verifyEntry, type LogEntry,
} from "../../../src/store/log-entry.js"
import { DEVICE_A, DEVICE_B, fakeEntry, thrown } from "./fixtures.js"

const accountId = randomBytes(16)
const vaultKey = randomBytes(32)
const keys = generateDeviceKeys()
const payload = utf8("an Automerge change of bucket 7")

function sealed(overrides: Partial<Parameters<typeof sealEntry>[0]> = {}): LogEntry {
  return sealEntry({ accountId, deviceId: DEVICE_A, seq: 3, epoch: 2, vaultKey, signSecret: keys.signSecret, payload, ...overrides })
}

function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice()
  copy[index] ^= 0x01
  return copy
}

describe("sealEntry / verifyEntry / openEntry", () => {
  it("round-trips: the signature verifies and the payload opens", () => {
    const entry = sealed()
    expect(entry).toMatchObject({ deviceId: DEVICE_A, seq: 3, epoch: 2 })
    expect(entry.signature).toHaveLength(64)
    verifyEntry(entry, accountId, keys.signPublic)
    expect(openEntry(entry, accountId, vaultKey)).toEqual(payload)
  })

  it("hides the payload and uses a fresh nonce each time", () => {
    const a = sealed()
    const b = sealed()
    expect(toHex(a.ciphertext)).not.toContain(toHex(payload))
    expect(a.ciphertext).not.toEqual(b.ciphertext)
  })

  it("a tampered ciphertext fails both the signature and decryption", () => {
    const entry = sealed()
    for (const index of [0, 30, entry.ciphertext.length - 1]) {
      const bad = { ...entry, ciphertext: flipped(entry.ciphertext, index) }
      expect(thrown(() => verifyEntry(bad, accountId, keys.signPublic)).code).toBe("BAD_SIGNATURE")
      expect(thrown(() => openEntry(bad, accountId, vaultKey)).code).toBe("DECRYPTION_FAILED")
    }
  })

  it("a tampered signature fails verification", () => {
    const entry = sealed()
    const bad = { ...entry, signature: flipped(entry.signature, 10) }
    expect(thrown(() => verifyEntry(bad, accountId, keys.signPublic)).code).toBe("BAD_SIGNATURE")
  })

  it.each([
    ["seq", { seq: 4 }],
    ["epoch", { epoch: 3 }],
    ["device", { deviceId: DEVICE_B }],
  ])("moving an entry to another %s fails both the signature and decryption", (_, change) => {
    const bad = { ...sealed(), ...change }
    expect(thrown(() => verifyEntry(bad, accountId, keys.signPublic)).code).toBe("BAD_SIGNATURE")
    expect(thrown(() => openEntry(bad, accountId, vaultKey)).code).toBe("DECRYPTION_FAILED")
  })

  it("an entry of another account fails both the signature and decryption", () => {
    const entry = sealed()
    const otherAccount = flipped(accountId, 0)
    expect(thrown(() => verifyEntry(entry, otherAccount, keys.signPublic)).code).toBe("BAD_SIGNATURE")
    expect(thrown(() => openEntry(entry, otherAccount, vaultKey)).code).toBe("DECRYPTION_FAILED")
  })

  it("another device's public key or another vault key is refused", () => {
    const entry = sealed()
    expect(thrown(() => verifyEntry(entry, accountId, generateDeviceKeys().signPublic)).code).toBe("BAD_SIGNATURE")
    expect(thrown(() => openEntry(entry, accountId, randomBytes(32))).code).toBe("DECRYPTION_FAILED")
  })

  it("a malformed entry is CORRUPT_DATA before any crypto", () => {
    const entry = sealed()
    expect(thrown(() => verifyEntry({ ...entry, signature: new Uint8Array(12) }, accountId, keys.signPublic)).code).toBe("CORRUPT_DATA")
    expect(thrown(() => openEntry({ ...entry, seq: 0 }, accountId, vaultKey)).code).toBe("CORRUPT_DATA")
  })

  it("refuses to seal with a bad key, device id or account id", () => {
    expect(() => sealed({ vaultKey: new Uint8Array(16) })).toThrow(TypeError)
    expect(thrown(() => sealed({ deviceId: "abc" })).code).toBe("CORRUPT_DATA")
    expect(() => sealed({ accountId: new Uint8Array(0) })).toThrow(TypeError)
  })
})

describe("encodeEntry / decodeEntry", () => {
  it("has the documented layout", () => {
    const entry: LogEntry = {
      deviceId: "0123456789abcdef0123456789abcdef",
      seq: 258,
      epoch: 7,
      ciphertext: new Uint8Array(40).fill(0xcc),
      signature: new Uint8Array(64).fill(0x55),
    }
    const expected = "01" + "0123456789abcdef0123456789abcdef" + "0000000000000102" + "00000007" + "00000028" +
      "cc".repeat(40) + "55".repeat(64)
    expect(toHex(encodeEntry(entry))).toBe(expected)
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry)
  })

  it("round-trips sealed entries, which still verify and open", () => {
    const entry = decodeEntry(encodeEntry(sealed()))
    verifyEntry(entry, accountId, keys.signPublic)
    expect(openEntry(entry, accountId, vaultKey)).toEqual(payload)
  })

  it("round-trips any well-formed entry", () => {
    const arbitraryEntry = fc.record({
      deviceId: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(toHex),
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      epoch: fc.integer({ min: 0, max: 0xffff_ffff }),
      ciphertext: fc.uint8Array({ minLength: 40, maxLength: 300 }),
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    })
    fc.assert(fc.property(arbitraryEntry, (entry) => {
      expect(decodeEntry(encodeEntry(entry))).toEqual(entry)
    }))
  })

  it("random bytes either decode or throw CorruptDataError, nothing else", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      try {
        encodeEntry(decodeEntry(bytes))
      } catch (error) {
        expect(error).toBeInstanceOf(CorruptDataError)
      }
    }), { numRuns: 2_000 })
  })

  it("damaged encodings (cut, extended, a byte changed) either decode or throw CorruptDataError", () => {
    const good = encodeEntry(fakeEntry(DEVICE_A, 5))
    const damage = fc.oneof(
      fc.nat({ max: good.length - 1 }).map((n) => good.slice(0, n)),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => new Uint8Array([...good, ...extra])),
      fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const copy = good.slice()
        copy[i] ^= x
        return copy
      }),
    )
    fc.assert(fc.property(damage, (bytes) => {
      try {
        decodeEntry(bytes)
      } catch (error) {
        expect(error).toBeInstanceOf(CorruptDataError)
      }
    }), { numRuns: 2_000 })
  })

  it("names the failure for truncation, trailing bytes, a bad version or a huge length", () => {
    const good = encodeEntry(fakeEntry(DEVICE_A, 1))
    expect(thrown(() => decodeEntry(good.slice(0, good.length - 1))).code).toBe("CORRUPT_DATA")
    expect(thrown(() => decodeEntry(new Uint8Array([...good, 0]))).code).toBe("CORRUPT_DATA")
    expect(thrown(() => decodeEntry(new Uint8Array([2, ...good.subarray(1)]))).code).toBe("CORRUPT_DATA")
    const huge = good.slice()
    new DataView(huge.buffer).setUint32(29, 0xffff_ffff)
    expect(thrown(() => decodeEntry(huge)).code).toBe("CORRUPT_DATA")
    const seqZero = good.slice()
    new DataView(seqZero.buffer).setBigUint64(17, 0n)
    expect(thrown(() => decodeEntry(seqZero)).code).toBe("CORRUPT_DATA")
    expect(thrown(() => decodeEntry("not bytes" as unknown as Uint8Array)).code).toBe("CORRUPT_DATA")
  })

  it("readEntry walks entries laid end to end, as in a sync-folder file", () => {
    const entries = [fakeEntry(DEVICE_A, 1), fakeEntry(DEVICE_A, 2), fakeEntry(DEVICE_B, 1)]
    const file = new Uint8Array(entries.flatMap((e) => [...encodeEntry(e)]))
    const read: LogEntry[] = []
    for (let offset = 0; offset < file.length;) {
      const { entry, next } = readEntry(file, offset)
      read.push(entry)
      offset = next
    }
    expect(read).toEqual(entries)
    expect(thrown(() => readEntry(file.subarray(0, file.length - 3), 2 * encodeEntry(entries[0]).length)).code).toBe("CORRUPT_DATA")
  })

  it("decoded entries do not share memory with the input", () => {
    const bytes = encodeEntry(fakeEntry(DEVICE_A, 1))
    const entry = decodeEntry(bytes)
    bytes.fill(0)
    expect(entry).toEqual(fakeEntry(DEVICE_A, 1))
  })
})
