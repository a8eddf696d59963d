import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import {
  accountIdBytes, AsideKeysets, META, parseKeyset, readAccountKey, writeAccountKey, writeFreshAccount, writeNextAccountKey,
} from "../../../src/account/index.js"
import { generateAccountKey, randomBytes, toBase64, utf8 } from "../../../src/crypto/index.js"
import { KeyManager } from "../../../src/vault/key-manager.js"
import { silentLogger } from "../../../src/log.js"
import { compareKeysetRanks, keysetRank } from "../../../src/store/keyset-rank.js"
import { MemoryStore } from "../../../src/store/memory-store.js"

const PASSWORD = "correct horse battery"
const ACCOUNT_HEX = "cd".repeat(16)
/** Read once, as the daemon passes it (AccountContext). */
const ACCOUNT_ID = accountIdBytes(ACCOUNT_HEX)
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
  await writeFreshAccount(sides[0].store, sides[0].home, { accountId: ACCOUNT_HEX, deviceName: "one", password: PASSWORD })
  sides[1].store.setMeta(META.accountId, ACCOUNT_HEX)
  sides[1].store.setMeta(META.trustPublicKey, sides[0].store.getMeta(META.trustPublicKey)!)
  const keyset = sides[0].store.getKeyset()!
  sides[1].store.putKeyset(keyset.version, keyset.blob)
  writeAccountKey(sides[1].home, readAccountKey(sides[0].home))
  return sides.map((s) => {
    const side: Side = { ...s, keys: new KeyManager({ store: s.store, home: s.home, logger: silentLogger(), accountId: ACCOUNT_ID }), published: 0 }
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

const asideCount = (side: Side) => new AsideKeysets(side.home).list().length

describe("KeyManager: keysets made on both sides of a partition", () => {
  it("re-keys on both sides: the loser keeps its epoch, merges, and the winner gets every epoch", async () => {
    const { winner, loser, epochs } = await concurrentRekeys()
    // The winner is sent the lower-ranked keyset too (it holds an epoch the winner lacks) and merges it at once.
    expect(send(loser, winner)).toBe(true)
    expect(winner.published).toBe(1)
    expect(send(winner, loser)).toBe(true)
    expect(readAccountKey(loser.home)).toEqual(readAccountKey(winner.home))
    const merged = loser.keys.refresh()!
    for (const epoch of [1, ...epochs]) expect(merged.keys.has(epoch)).toBe(true)
    expect(asideCount(loser)).toBe(0)
    expect(asideCount(winner)).toBe(0)
    const winnerKeys = winner.keys.refresh()!
    expect([...winnerKeys.keys.keys()].sort()).toEqual([...merged.keys.keys()].sort())
    for (const side of [winner, loser]) {
      side.keys.forget()
      const unlocked = await side.keys.unlock(PASSWORD)
      expect(unlocked.keys.size).toBe(3)
      expect(unlocked.currentEpoch).toBe(merged.currentEpoch)
    }
  }, 90_000)

  it("a locked loser keeps the winner's keyset aside (it lacks an epoch) and merges at its next unlock", async () => {
    const { winner, loser } = await concurrentRekeys()
    loser.keys.forget()
    const before = loser.store.getKeyset()!.version
    const accountKey = readAccountKey(loser.home)
    expect(send(winner, loser)).toBe(false)
    expect(asideCount(loser)).toBe(1)
    expect(readAccountKey(loser.home)).toEqual(accountKey)
    const keys = await loser.keys.unlock(PASSWORD)
    expect(keys.keys.size).toBe(3)
    expect(loser.store.getKeyset()!.version).toBe(before + 1)
    expect(readAccountKey(loser.home)).toEqual(readAccountKey(winner.home))
    expect(asideCount(loser)).toBe(0)
  }, 90_000)

  it("a password changed on both sides: the winner's password unlocks both, and the loser's no longer does", async () => {
    const [one, two] = await twoDevices()
    await one.keys.changePassword(PASSWORD, "one's new password")
    await two.keys.changePassword(PASSWORD, "two's new password")
    const oneWins = compareKeysetRanks(keysetRank(one.store.getKeyset()), keysetRank(two.store.getKeyset())) > 0
    const [winner, loser, password, other] = oneWins ? [one, two, "one's new password", "two's new password"] : [two, one, "two's new password", "one's new password"]
    expect(send(winner, loser)).toBe(false)
    expect(send(loser, winner)).toBe(false)
    for (const side of [one, two]) expect((await side.keys.unlock(password)).keys.size).toBe(2)
    loser.keys.forget()
    await expect(loser.keys.unlock(other)).rejects.toMatchObject({ code: "WRONG_PASSWORD" })
  }, 90_000)

  it("stores a revoke's re-key and its revocation together: when the revocation fails, keyset and account key stay as they were", async () => {
    const [one] = await twoDevices()
    const keys = await one.keys.unlock(PASSWORD)
    const before = { version: one.store.getKeyset()!.version, accountKey: readAccountKey(one.home) }
    expect(() => one.keys.rekey(keys, () => {
      throw new Error("disk full while storing the revocation")
    })).toThrow(/disk full/)
    expect(one.store.getKeyset()!.version).toBe(before.version)
    expect(readAccountKey(one.home)).toEqual(before.accountKey)
    expect(one.published).toBe(0)
    const { version, accountKey } = one.keys.rekey(keys, () => one.store.setMeta("test.revoked", "yes"))
    expect(one.store.getKeyset()!.version).toBe(version)
    expect(one.store.getMeta("test.revoked")).toBe("yes")
    expect(readAccountKey(one.home)).toEqual(accountKey)
  }, 90_000)

  it("a password changed on one side while the other revokes: every epoch ends on both, under the new password and the re-key's account key (issue 11 item 6)", async () => {
    for (const order of ["changer first", "revoker first"] as const) {
      const [changer, revoker] = await twoDevices()
      const newPassword = "the changed password"
      await changer.keys.unlock(PASSWORD)
      const changed = await changer.keys.changePassword(PASSWORD, newPassword)
      const rekeyed = revoker.keys.rekey(await revoker.keys.unlock(PASSWORD))
      const revokedKey = readAccountKey(revoker.home)
      expect(revokedKey).not.toEqual(readAccountKey(changer.home))
      // The partition heals: each sends its keyset (whichever ranks higher), in both orders.
      if (order === "changer first") send(changer, revoker)
      send(revoker, changer)
      // The changer (which knew the old password) merged both epochs under its new password and the re-key's account key.
      expect(readAccountKey(changer.home)).toEqual(revokedKey)
      const merged = changer.keys.refresh()!
      for (const epoch of [1, changed.keys.currentEpoch, rekeyed.keys.currentEpoch]) expect(merged.keys.has(epoch), `${order}: epoch ${epoch}`).toBe(true)
      expect(parseKeyset(changer.store.getKeyset()!.blob).akSerial).toBe(1)
      // The revoker adopts the merged keyset (signed, holds every epoch) and then opens it with the new password.
      expect(send(changer, revoker)).toBe(true)
      expect(readAccountKey(revoker.home)).toEqual(revokedKey)
      revoker.keys.forget()
      await expect(revoker.keys.unlock(PASSWORD)).rejects.toMatchObject({ code: "WRONG_PASSWORD" })
      const opened = await revoker.keys.unlock(newPassword)
      expect([...opened.keys.keys()].sort()).toEqual([...merged.keys.keys()].sort())
      // A merge never brings back the account key the revoke replaced: the old one opens nothing.
      expect(parseKeyset(revoker.store.getKeyset()!.blob).akDigest).toBe(parseKeyset(changer.store.getKeyset()!.blob).akDigest)
    }
  }, 120_000)

  it("finishes an account-key write a crash cut short, drops a stray one, and refuses a keyset whose header lies", async () => {
    const [one, two] = await twoDevices()
    const keys = await one.keys.unlock(PASSWORD)
    const { accountKey } = one.keys.rekey(keys)
    // A crash after the keyset was stored, before the rename: the new key waits in account.key.next.
    writeAccountKey(one.home, readAccountKey(two.home))
    writeNextAccountKey(one.home, accountKey)
    const restarted = new KeyManager({ store: one.store, home: one.home, logger: silentLogger(), accountId: ACCOUNT_ID })
    expect(readAccountKey(one.home)).toEqual(accountKey)
    expect((await restarted.unlock(PASSWORD)).keys.size).toBe(2)
    // A crash before the keyset was stored: the next key is not the keyset's, and goes.
    writeNextAccountKey(one.home, generateAccountKey())
    new KeyManager({ store: one.store, home: one.home, logger: silentLogger(), accountId: ACCOUNT_ID })
    expect(readAccountKey(one.home)).toEqual(accountKey)
    const keyset = one.store.getKeyset()!
    expect(() => two.keys.acceptKeyset(keyset.version + 1, keyset.blob, accountKey)).toThrow(/does not match/)
    expect(two.store.getKeyset()!.version).toBe(1)
  }, 90_000)
})

/** A keyset as a thief with the account key but not the password could make: a huge version, the real epochs, a random key inside. */
function forgedKeyset(from: Side): { version: number; blob: Uint8Array } {
  const real = parseKeyset(from.store.getKeyset()!.blob)
  const version = 2 ** 52
  const { sig: _sig, ...unsigned } = real
  const forged = { ...unsigned, version, wrapped: toBase64(randomBytes(120)), akDigest: undefined }
  return { version, blob: utf8(JSON.stringify(forged)) }
}

describe("KeyManager: a keyset is adopted only if it opens or is signed, and holds every epoch", () => {
  it("a keyset that does not open is kept aside, never over account.key, and the password still unlocks (unlocked and locked)", async () => {
    const [one, two] = await twoDevices()
    await one.keys.unlock(PASSWORD)
    const accountKey = readAccountKey(one.home)
    for (const side of [one, two]) {
      const thiefKey = generateAccountKey()
      const { version, blob } = forgedKeyset(side)
      expect(side.keys.acceptKeyset(version, blob, thiefKey, "thief")).toBe(false)
      expect(side.store.getKeyset()!.version).toBe(1)
      expect(readAccountKey(side.home)).toEqual(accountKey)
      // Unlocked, it is settled at once: it neither opens nor bears the trust key's signature, so it is dropped.
      expect(asideCount(side)).toBe(side === one ? 0 : 1)
      side.keys.forget()
      expect((await side.keys.unlock(PASSWORD)).keys.size).toBe(1)
      expect(asideCount(side)).toBe(0)
    }
  }, 90_000)

  it("a password change starts a new epoch; a locked peer adopts its signed keyset; the old password then fails there", async () => {
    const [one, two] = await twoDevices()
    const { keys, version } = await one.keys.changePassword(PASSWORD, "a brand new password")
    expect(keys.keys.size).toBe(2)
    expect(keys.currentEpoch).not.toBe(1)
    expect(send(one, two)).toBe(true)
    expect(two.store.getKeyset()!.version).toBe(version)
    await expect(two.keys.unlock(PASSWORD)).rejects.toMatchObject({ code: "WRONG_PASSWORD" })
    const opened = await two.keys.unlock("a brand new password")
    expect(opened.currentEpoch).toBe(keys.currentEpoch)
  }, 90_000)

  it("a real keyset re-ranked by someone without the trust key is not adopted", async () => {
    const [one, two] = await twoDevices()
    const keysetV1 = one.store.getKeyset()!
    await two.keys.changePassword(PASSWORD, "two's new password")
    // one's old keyset, re-sent with a higher rank, is impossible to make without the trust key.
    const tampered = { ...parseKeyset(keysetV1.blob), version: 7 }
    expect(two.keys.acceptKeyset(7, utf8(JSON.stringify(tampered)), readAccountKey(one.home), "one")).toBe(false)
    expect(two.store.getKeyset()!.version).toBe(2)
  }, 90_000)

  it("refuses KDF parameters out of bounds from a peer (too weak, or costly enough to exhaust memory)", async () => {
    const [one, two] = await twoDevices()
    const real = parseKeyset(one.store.getKeyset()!.blob)
    for (const N of [2 ** 10, 2 ** 30]) {
      const blob = utf8(JSON.stringify({ ...real, version: 5, kdf: { ...real.kdf, N } }))
      expect(() => two.keys.acceptKeyset(5, blob, readAccountKey(one.home), "one")).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
    }
  }, 90_000)

  it("keeps no account key inside the store: legacy pending keys and orphans move out at start", async () => {
    const [one] = await twoDevices()
    const accountKey = readAccountKey(one.home)
    one.store.setMeta(META.pendingAccountKey, toBase64(accountKey))
    one.store.setMeta(META.orphanKeysets, JSON.stringify([{ blob: toBase64(one.store.getKeyset()!.blob), accountKey: toBase64(generateAccountKey()) }]))
    new KeyManager({ store: one.store, home: one.home, logger: silentLogger(), accountId: ACCOUNT_ID })
    expect(one.store.getMeta(META.pendingAccountKey)).toBeUndefined()
    expect(one.store.getMeta(META.orphanKeysets)).toBeUndefined()
    expect(asideCount(one)).toBe(1)
    expect(readAccountKey(one.home)).toEqual(accountKey)
  }, 90_000)
})
