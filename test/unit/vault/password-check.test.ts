import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { hintMeta, META, parseKeyset, wrapKeyset, writeAccountKey, type MetaTable, type WrappedKeyset } from "../../../src/account/index.js"
import { deriveUnlockKey, generateAccountKey, randomBytes, toBase64, type KdfParams } from "../../../src/crypto/index.js"
import { silentLogger } from "../../../src/log.js"
import { PasswordCheck } from "../../../src/vault/password-check.js"
import { codeOfAsync } from "../../helpers/error-code.js"

const PASSWORD = "correct horse battery"

/** The meta table port as a Map: all PasswordCheck may touch of a store (the SQLite store implements the same port). */
class MapMeta implements MetaTable {
  readonly values = new Map<string, string>()
  getMeta(key: string): string | undefined {
    return this.values.get(key)
  }
  setMeta(key: string, value: string): void {
    this.values.set(key, value)
  }
  deleteMeta(key: string): void {
    this.values.delete(key)
  }
}

const homes: string[] = []
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true })
})

/** A home holding an account key, and a keyset (cheap scrypt, for speed) that PASSWORD opens with it. */
async function account(): Promise<{ home: string; accountId: Uint8Array; keyset: WrappedKeyset }> {
  const home = mkdtempSync(join(tmpdir(), "lv-password-check-"))
  homes.push(home)
  const accountId = randomBytes(16)
  const accountKey = generateAccountKey()
  writeAccountKey(home, accountKey)
  const kdf: KdfParams = { alg: "scrypt", N: 1024, r: 8, p: 1, salt: toBase64(randomBytes(16)) }
  const unlockKey = await deriveUnlockKey(PASSWORD, accountKey, accountId, kdf)
  const keyset = parseKeyset(wrapKeyset({ currentEpoch: 1, keys: new Map([[1, randomBytes(32)]]) }, unlockKey, accountId, 1, kdf))
  return { home, accountId, keyset }
}

describe("PasswordCheck over a fake meta table", () => {
  it("counts each wrong password in the meta table, shows this device's hint from the third on, and clears the count on the right one", async () => {
    const { home, accountId, keyset } = await account()
    const meta = new MapMeta()
    meta.setMeta(META.hint, hintMeta("the battery one", keyset.kdf.salt))
    let clock = 1_000_000
    const check = new PasswordCheck({ store: meta, home, logger: silentLogger() }, () => clock)
    const hints: Array<string | undefined> = []
    for (let i = 0; i < 3; i++) {
      const error = await check.unwrap(`wrong guess ${i}`, keyset, accountId).then(() => undefined, (e: { code: string; data?: { hint?: string } }) => e)
      expect(error?.code).toBe("WRONG_PASSWORD")
      hints.push(error?.data?.hint)
    }
    expect(hints).toEqual([undefined, undefined, "the battery one"])
    expect(JSON.parse(meta.getMeta(META.throttle)!)).toEqual({ failures: 3, lastFailureAt: clock })
    // From the third failure on a try must wait (1 s first): even the right password is refused until then.
    expect(await codeOfAsync(check.unwrap(PASSWORD, keyset, accountId))).toBe("TOO_MANY_ATTEMPTS")
    clock += 1_000
    const { keys, slow } = await check.unwrap(PASSWORD, keyset, accountId)
    expect(keys.keys.size).toBe(1)
    expect(slow.length).toBeGreaterThan(0)
    expect(meta.getMeta(META.throttle)).toBeUndefined()
  }, 30_000)

  it("a hint written for another password (salt) is never shown", async () => {
    const { home, accountId, keyset } = await account()
    const meta = new MapMeta()
    meta.setMeta(META.hint, hintMeta("an old hint", toBase64(randomBytes(16))))
    meta.setMeta(META.throttle, JSON.stringify({ failures: 2, lastFailureAt: 0 }))
    const check = new PasswordCheck({ store: meta, home, logger: silentLogger() }, () => 1_000_000)
    const error = await check.unwrap("wrong again", keyset, accountId).then(() => undefined, (e: { code: string; data?: { hint?: string } }) => e)
    expect(error?.code).toBe("WRONG_PASSWORD")
    expect(error?.data?.hint).toBeUndefined()
    expect(JSON.parse(meta.getMeta(META.throttle)!).failures).toBe(3)
  }, 30_000)
})
