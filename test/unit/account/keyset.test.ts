import { describe, expect, it } from "vitest"
import { parseKeyset, unwrapKeyset, wrapKeyset, type VaultKeys } from "../../../src/account/keyset.js"
import { retryAfterMs } from "../../../src/account/unlock-throttle.js"
import { deriveUnlockKey, DEFAULT_KDF, randomBytes, type KdfParams } from "../../../src/crypto/index.js"
import { LanvaultError } from "../../../src/errors.js"
import { codeOf } from "../../helpers/error-code.js"

// Small scrypt cost keeps the unit test fast; the real parameters are DEFAULT_KDF.
const FAST_KDF: KdfParams = { alg: "scrypt", N: 2 ** 10, r: 8, p: 1, salt: "c2FsdHNhbHRzYWx0c2FsdA==" }

describe("keyset", () => {
  const accountId = randomBytes(16)
  const accountKey = randomBytes(16)
  const keys: VaultKeys = { currentEpoch: 2, keys: new Map([[1, randomBytes(32)], [2, randomBytes(32)]]) }

  it("unwraps with the same password and account key, not with another of either", async () => {
    const key = await deriveUnlockKey("correct horse", accountKey, accountId, FAST_KDF)
    const blob = wrapKeyset(keys, key, accountId, 3, FAST_KDF)
    const parsed = parseKeyset(blob)
    expect(parsed.version).toBe(3)
    const unwrapped = unwrapKeyset(parsed, key, accountId)
    expect(unwrapped.currentEpoch).toBe(2)
    expect(unwrapped.keys.get(1)).toEqual(keys.keys.get(1))
    const wrongPassword = await deriveUnlockKey("correct horsf", accountKey, accountId, FAST_KDF)
    expect(codeOf(() => unwrapKeyset(parsed, wrongPassword, accountId))).toBe("DECRYPTION_FAILED")
    const wrongAccountKey = await deriveUnlockKey("correct horse", randomBytes(16), accountId, FAST_KDF)
    expect(codeOf(() => unwrapKeyset(parsed, wrongAccountKey, accountId))).toBe("DECRYPTION_FAILED")
  })

  it("refuses a keyset whose version was altered", async () => {
    const key = await deriveUnlockKey("correct horse", accountKey, accountId, FAST_KDF)
    const parsed = parseKeyset(wrapKeyset(keys, key, accountId, 3, FAST_KDF))
    expect(codeOf(() => unwrapKeyset({ ...parsed, version: 9 }, key, accountId))).toBe("DECRYPTION_FAILED")
  })

  it("reports an unreadable keyset as corrupt data", () => {
    expect(codeOf(() => parseKeyset(new Uint8Array([1, 2, 3])))).toBe("CORRUPT_DATA")
    expect(codeOf(() => parseKeyset(new TextEncoder().encode('{"format":"x"}')))).toBe("CORRUPT_DATA")
  })

  it("uses scrypt at the OWASP minimum by default", () => {
    expect(DEFAULT_KDF).toEqual({ alg: "scrypt", N: 2 ** 17, r: 8, p: 1 })
  })
})

describe("unlock throttle", () => {
  it("lets the first wrong passwords through, then doubles the wait up to five minutes", () => {
    expect(retryAfterMs({ failures: 2, lastFailureAt: 1000 }, 1000)).toBe(0)
    expect(retryAfterMs({ failures: 3, lastFailureAt: 1000 }, 1000)).toBe(1000)
    expect(retryAfterMs({ failures: 5, lastFailureAt: 1000 }, 2000)).toBe(3000)
    expect(retryAfterMs({ failures: 50, lastFailureAt: 0 }, 0)).toBe(300_000)
    expect(retryAfterMs({ failures: 4, lastFailureAt: 0 }, 10_000)).toBe(0)
  })
})
