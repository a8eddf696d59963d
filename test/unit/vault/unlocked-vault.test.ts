import { describe, expect, it } from "vitest"
import { generateDeviceKeys, randomBytes, toHex } from "../../../src/crypto/index.js"
import { encodePayload } from "../../../src/vault/change-payload.js"
import { UnlockedVault } from "../../../src/vault/unlocked-vault.js"
import { silentLogger } from "../../../src/log.js"
import { VaultDoc } from "../../../src/merge/index.js"
import { sealEntry } from "../../../src/store/log-entry.js"
import { MemoryStore } from "../../../src/store/memory-store.js"

const BUCKETS = 64

/** Another device's entry creating one note, sealed under `epoch`'s key. */
function peerNote(accountId: Uint8Array, title: string, epoch: number, vaultKey: Uint8Array) {
  const deviceId = toHex(randomBytes(16))
  const doc = new VaultDoc({}, { actorId: deviceId, bucketCount: BUCKETS })
  const { changes } = doc.create({ type: "note", title })
  expect(changes).toHaveLength(1)
  return sealEntry({
    accountId, deviceId, seq: 1, epoch, vaultKey, signSecret: generateDeviceKeys().signSecret, payload: encodePayload(changes[0]),
  })
}

describe("UnlockedVault: entries of an epoch whose key has not arrived yet", () => {
  it("are read as soon as the key arrives, and a snapshot taken meanwhile does not skip them", () => {
    const store = new MemoryStore()
    const accountId = randomBytes(16)
    const own = { deviceId: toHex(randomBytes(16)), signSecret: generateDeviceKeys().signSecret }
    const deps = { store, logger: silentLogger(), identity: own, accountId }
    const oldKey = randomBytes(32)
    const newKey = randomBytes(32)
    const vault = UnlockedVault.open(deps, { currentEpoch: 1, keys: new Map([[1, oldKey.slice()]]) }, BUCKETS)
    const entry = peerNote(accountId, "written after a re-key elsewhere", 4242, newKey)
    store.insertEntries([entry])
    expect(vault.applyEntries([entry])).toEqual([])
    expect(vault.unreadable).toHaveLength(1)
    vault.snapshot()

    // Locked and unlocked again with the new key: the snapshot must not hide the entry.
    const reopened = UnlockedVault.open(deps, { currentEpoch: 4242, keys: new Map([[1, oldKey.slice()], [4242, newKey.slice()]]) }, BUCKETS)
    expect(reopened.unreadable).toEqual([])
    expect(reopened.doc.list({}).map((r) => r.title)).toEqual(["written after a re-key elsewhere"])

    // Still unlocked: the key arriving reads the entry at once.
    const changed = vault.adoptKeys({ currentEpoch: 4242, keys: new Map([[1, oldKey.slice()], [4242, newKey.slice()]]) })
    expect(changed).toHaveLength(1)
    expect(vault.unreadable).toEqual([])
    expect(vault.doc.list({}).map((r) => r.title)).toEqual(["written after a re-key elsewhere"])
  })
})

describe("UnlockedVault: a change's Automerge actor must be the device that signed the entry", () => {
  it("refuses an entry whose change edits as another device's actor, and reads the same change under its own", () => {
    const store = new MemoryStore()
    const accountId = randomBytes(16)
    const own = { deviceId: toHex(randomBytes(16)), signSecret: generateDeviceKeys().signSecret }
    const vaultKey = randomBytes(32)
    const vault = UnlockedVault.open({ store, logger: silentLogger(), identity: own, accountId }, { currentEpoch: 1, keys: new Map([[1, vaultKey.slice()]]) }, BUCKETS)
    // A device that holds the vault key signs, as itself, a change made with this device's actor.
    const signer = toHex(randomBytes(16))
    const spoofed = new VaultDoc({}, { actorId: own.deviceId, bucketCount: BUCKETS }).create({ type: "note", title: "in another's name" }).changes[0]
    const entry = sealEntry({ accountId, deviceId: signer, seq: 1, epoch: 1, vaultKey, signSecret: generateDeviceKeys().signSecret, payload: encodePayload(spoofed) })
    store.insertEntries([entry])
    expect(vault.applyEntries([entry])).toEqual([])
    expect(vault.unreadable).toEqual([{ deviceId: signer, seq: 1, code: "CORRUPT_DATA" }])
    expect(vault.doc.list({})).toEqual([])

    const honest = peerNote(accountId, "in its own name", 1, vaultKey)
    expect(vault.applyEntries([honest])).toHaveLength(1)
    expect(vault.doc.list({}).map((r) => r.title)).toEqual(["in its own name"])
  })
})
