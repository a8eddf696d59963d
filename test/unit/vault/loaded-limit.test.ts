import { setImmediate as nextTurn } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import { generateDeviceKeys, randomBytes, toHex } from "../../../src/crypto/index.js"
import { silentLogger } from "../../../src/log.js"
import { VaultDoc } from "../../../src/merge/index.js"
import { sealEntry } from "../../../src/store/log-entry.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { MAX_LOADED_BUCKETS } from "../../../src/vault/bucket-eviction.js"
import { encodePayload } from "../../../src/vault/change-payload.js"
import { UnlockedVault } from "../../../src/vault/unlocked-vault.js"

const BUCKETS = 64
const RECORDS = MAX_LOADED_BUCKETS + 72

describe("an unlocked vault keeps the buckets it holds loaded bounded", () => {
  it("after merging a peer's records in more buckets than the limit, sends the least recently used back, and still shows every record", async () => {
    const store = new MemoryStore()
    const accountId = randomBytes(16)
    const vaultKey = randomBytes(32)
    const identity = { deviceId: toHex(randomBytes(16)), signSecret: generateDeviceKeys().signSecret }
    // A peer whose allocator puts each record in a bucket of its own.
    const peer = toHex(randomBytes(16))
    const peerSecret = generateDeviceKeys().signSecret
    const peerDoc = new VaultDoc({}, { actorId: peer, bucketCount: BUCKETS, allocator: { fullRecords: 1, openBuckets: 1 } })
    const ids: string[] = []
    let seq = 0
    for (let n = 0; n < RECORDS; n++) {
      const { id, changes } = peerDoc.create({ type: "note", title: `note ${n}`, notes: `from the peer ${n}` })
      ids.push(id)
      store.insertEntries(changes.map((change) => sealEntry({ accountId, deviceId: peer, seq: ++seq, epoch: 1, vaultKey, signSecret: peerSecret, payload: encodePayload(change) })))
    }
    expect(peerDoc.bucketNumbers().length).toBe(RECORDS)
    const vault = UnlockedVault.open({ store, logger: silentLogger(), identity, accountId }, { currentEpoch: 1, keys: new Map([[1, vaultKey.slice()]]) }, BUCKETS)
    try {
      expect(vault.doc.loadedBuckets).toBe(RECORDS) // the replay merged into every bucket
      for (let turn = 0; turn < RECORDS && vault.doc.loadedBuckets > MAX_LOADED_BUCKETS; turn++) await nextTurn()
      expect(vault.doc.loadedBuckets).toBe(MAX_LOADED_BUCKETS)
      expect(vault.doc.list({}).map((r) => r.id).sort()).toEqual([...ids].sort())
      // Read every record in full: the limit holds as buckets load again.
      for (const [n, id] of ids.entries()) expect(vault.doc.get(id)?.notes).toBe(`from the peer ${n}`)
      for (let turn = 0; turn < RECORDS && vault.doc.loadedBuckets > MAX_LOADED_BUCKETS; turn++) await nextTurn()
      expect(vault.doc.loadedBuckets).toBe(MAX_LOADED_BUCKETS)
    } finally {
      vault.close()
    }
  })
})
