import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { META, readAccountKey, writeAccountKey, writeFreshAccount } from "../../../src/account/index.js"
import { toBase64 } from "../../../src/crypto/index.js"
import { KeyManager } from "../../../src/vault/key-manager.js"
import { silentLogger } from "../../../src/log.js"
import { compareKeysetRanks, keysetRank } from "../../../src/store/keyset-rank.js"
import { MemoryStore } from "../../../src/store/memory-store.js"

const PASSWORD = "correct horse battery"
const homes: string[] = []

afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true })
})

interface Side {
  store: MemoryStore
  home: string
  keys: KeyManager
  published: number
}

/** Two devices of one account: the second holds a copy of the first's keyset and account key. */
async function twoDevices(): Promise<[Side, Side]> {
  const sides = [0, 1].map(() => {
    const home = mkdtempSync(join(tmpdir(), "lv-keys-"))
    homes.push(home)
    return { store: new MemoryStore(), home }
  })
  await writeFreshAccount(sides[0].store, sides[0].home, { accountId: "cd".repeat(16), deviceName: "one", password: PASSWORD })
  sides[1].store.setMeta(META.accountId, "cd".repeat(16))
  const keyset = sides[0].store.getKeyset()!
  sides[1].store.putKeyset(keyset.version, keyset.blob)
  writeAccountKey(sides[1].home, readAccountKey(sides[0].home))
  return sides.map((s) => {
    const side: Side = { ...s, keys: new KeyManager({ store: s.store, home: s.home, logger: silentLogger() }), published: 0 }
    side.keys.on("keysetChanged", () => side.published++)
    return side
  }) as [Side, Side]
}

/** What one side sends another over a trusted link: its keyset and the account key that opens it. */
function send(from: Side, to: Side): boolean {
  const keyset = from.store.getKeyset()!
  return to.keys.acceptKeyset(keyset.version, keyset.blob, readAccountKey(from.home))
}

/** Both sides revoke the same device while apart: [winner, loser] by keyset rank, and each one's new epoch. */
async function concurrentRekeys(): Promise<{ winner: Side; loser: Side; epochs: number[] }> {
  const [one, two] = await twoDevices()
  const epochs: number[] = []
  for (const side of [one, two]) {
    const keys = await side.keys.unlock(PASSWORD)
    epochs.push(side.keys.rekey(keys).keys.currentEpoch)
  }
  expect(epochs[0]).not.toBe(epochs[1])
  const [rankOne, rankTwo] = [one, two].map((s) => keysetRank(s.store.getKeyset()))
  expect(rankOne.version).toBe(rankTwo.version)
  return compareKeysetRanks(rankOne, rankTwo) > 0 ? { winner: one, loser: two, epochs } : { winner: two, loser: one, epochs }
}

describe("KeyManager: keysets made on both sides of a partition", () => {
  it("re-keys on both sides: the loser keeps its epoch, merges, and the winner gets every epoch", async () => {
    const { winner, loser, epochs } = await concurrentRekeys()
    expect(send(loser, winner)).toBe(false)
    expect(send(winner, loser)).toBe(true)
    expect(readAccountKey(loser.home)).toEqual(readAccountKey(winner.home))
    const merged = loser.keys.refresh()!
    for (const epoch of [1, ...epochs]) expect(merged.keys.has(epoch)).toBe(true)
    expect(loser.published).toBe(1)
    expect(loser.store.getMeta(META.orphanKeysets)).toBeUndefined()
    expect(send(loser, winner)).toBe(true)
    expect(winner.store.getMeta(META.orphanKeysets)).toBeUndefined()
    const winnerKeys = winner.keys.refresh()!
    expect([...winnerKeys.keys.keys()].sort()).toEqual([...merged.keys.keys()].sort())
    for (const side of [winner, loser]) {
      side.keys.forget()
      const unlocked = await side.keys.unlock(PASSWORD)
      expect(unlocked.keys.size).toBe(3)
      expect(unlocked.currentEpoch).toBe(merged.currentEpoch)
    }
  }, 30_000)

  it("a locked loser keeps the orphan and merges at its next unlock", async () => {
    const { winner, loser } = await concurrentRekeys()
    loser.keys.forget()
    expect(send(winner, loser)).toBe(true)
    expect(JSON.parse(loser.store.getMeta(META.orphanKeysets)!)).toHaveLength(1)
    const before = loser.store.getKeyset()!.version
    const keys = await loser.keys.unlock(PASSWORD)
    expect(keys.keys.size).toBe(3)
    expect(loser.store.getKeyset()!.version).toBe(before + 1)
    expect(loser.store.getMeta(META.orphanKeysets)).toBeUndefined()
  }, 30_000)

  it("a password changed on both sides: one keyset wins everywhere, no orphan, the winner's password unlocks both", async () => {
    const [one, two] = await twoDevices()
    await one.keys.changePassword(PASSWORD, "one's new password")
    await two.keys.changePassword(PASSWORD, "two's new password")
    const oneWins = compareKeysetRanks(keysetRank(one.store.getKeyset()), keysetRank(two.store.getKeyset())) > 0
    const [winner, loser, password] = oneWins ? [one, two, "one's new password"] : [two, one, "two's new password"]
    expect(send(winner, loser)).toBe(true)
    expect(send(loser, winner)).toBe(false)
    expect(loser.store.getMeta(META.orphanKeysets)).toBeUndefined()
    for (const side of [one, two]) expect((await side.keys.unlock(password)).keys.size).toBe(1)
  }, 60_000)

  it("finishes an account-key write a crash cut short, and refuses a keyset whose header lies", async () => {
    const [one, two] = await twoDevices()
    const keys = await one.keys.unlock(PASSWORD)
    const { accountKey } = one.keys.rekey(keys)
    // A crash after the keyset's transaction, before the key file: the key is pending in the store.
    writeAccountKey(one.home, readAccountKey(two.home))
    one.store.setMeta(META.pendingAccountKey, toBase64(accountKey))
    const restarted = new KeyManager({ store: one.store, home: one.home, logger: silentLogger() })
    expect(readAccountKey(one.home)).toEqual(accountKey)
    expect(one.store.getMeta(META.pendingAccountKey)).toBeUndefined()
    expect((await restarted.unlock(PASSWORD)).keys.size).toBe(2)
    const keyset = one.store.getKeyset()!
    expect(() => two.keys.acceptKeyset(keyset.version + 1, keyset.blob, accountKey)).toThrow(/does not match/)
    expect(two.store.getKeyset()!.version).toBe(1)
  }, 30_000)
})

describe("KeyManager: the password hint", () => {
  async function oneDevice(hint?: string): Promise<Side> {
    const home = mkdtempSync(join(tmpdir(), "lv-hint-"))
    homes.push(home)
    const store = new MemoryStore()
    await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "one", password: PASSWORD, hint })
    return { store, home, keys: new KeyManager({ store, home, logger: silentLogger() }), published: 0 }
  }

  async function failure(side: Side, password: string): Promise<{ code?: string; hint?: unknown }> {
    try {
      await side.keys.unlock(password)
      return {}
    } catch (error) {
      const failed = error as { code?: string; data?: { hint?: unknown } }
      return { code: failed.code, hint: failed.data?.hint }
    }
  }

  it("shows the hint from the third wrong password on, not before", async () => {
    const side = await oneDevice("the horse poem")
    expect(await failure(side, "wrong guess one")).toEqual({ code: "WRONG_PASSWORD", hint: undefined })
    expect(await failure(side, "wrong guess two")).toEqual({ code: "WRONG_PASSWORD", hint: undefined })
    expect(await failure(side, "wrong guess three")).toEqual({ code: "WRONG_PASSWORD", hint: "the horse poem" })
  }, 90_000)

  it("a hint made for an older password (changed on another device) is never shown", async () => {
    const side = await oneDevice()
    side.store.setMeta(META.hint, JSON.stringify({ text: "stale hint", salt: "c2FsdA==" }))
    for (let i = 0; i < 2; i++) await failure(side, `wrong guess ${i}`)
    expect(await failure(side, "wrong guess 3")).toEqual({ code: "WRONG_PASSWORD", hint: undefined })
  }, 90_000)

  it("refuses a weak new password unless allowed and a hint that holds the password; a change keeps the new hint", async () => {
    const side = await oneDevice("old hint")
    await expect(side.keys.changePassword(PASSWORD, "password123")).rejects.toMatchObject({ code: "WEAK_PASSWORD" })
    await expect(side.keys.changePassword(PASSWORD, "a different pass phrase", { hint: "a different pass phrase!" })).rejects.toMatchObject({ code: "INVALID_PARAMS" })
    expect(await side.keys.changePassword(PASSWORD, "password123", { allowWeak: true, hint: "new hint" })).toBe(2)
    const stored = JSON.parse(side.store.getMeta(META.hint)!)
    expect(stored.text).toBe("new hint")
    expect(stored.salt).toBe(side.keys.keyset().kdf.salt)
  }, 90_000)
})
