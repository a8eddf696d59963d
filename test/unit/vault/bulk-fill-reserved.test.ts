import { describe, expect, it } from "vitest"
import { generateDeviceKeys, randomBytes, toHex } from "../../../src/crypto/index.js"
import { silentLogger } from "../../../src/log.js"
import { fillGroups, type FilledSource, type FillPlan } from "../../../src/merge/bucket-fill.js"
import { VaultDoc, type BucketChange, type RecordInput } from "../../../src/merge/index.js"
import { sealEntry } from "../../../src/store/log-entry.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { createInBulk } from "../../../src/vault/bulk-fill.js"
import { encodePayload } from "../../../src/vault/change-payload.js"
import { UnlockedVault } from "../../../src/vault/unlocked-vault.js"

const BUCKETS = 64
const RECORDS = 600

function logins(count: number): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ type: "login", title: `site ${i}`, fields: { password: { value: `pw-${i}`, kind: "secret" } }, tags: ["imported"] }))
}

/** One device's unlocked vault over a memory store, and a peer that syncs with it by sealed log entries. */
function setUp() {
  const store = new MemoryStore()
  const accountId = randomBytes(16)
  const vaultKey = randomBytes(32)
  const deps = { store, logger: silentLogger(), identity: { deviceId: toHex(randomBytes(16)), signSecret: generateDeviceKeys().signSecret }, accountId }
  const open = () => UnlockedVault.open(deps, { currentEpoch: 1, keys: new Map([[1, vaultKey.slice()]]) }, BUCKETS)
  const peerId = toHex(randomBytes(16))
  const peer = new VaultDoc({}, { actorId: peerId, bucketCount: BUCKETS })
  let peerSeq = 0
  const fromPeer = (changes: BucketChange[]) => {
    const entries = changes.map((change) => sealEntry({ accountId, deviceId: peerId, seq: ++peerSeq, epoch: 1, vaultKey, signSecret: generateDeviceKeys().signSecret, payload: encodePayload(change) }))
    store.insertEntries(entries)
    return entries
  }
  return { store, open, peer, fromPeer }
}

/** The import's writer, here on this thread: every group as the worker writes it, `before(n, plan)` run before group n is handed over. */
function sourceOf(inputs: RecordInput[], before: (n: number, plan: FillPlan) => void): FilledSource {
  return {
    count: inputs.length,
    async *fill(plan) {
      let n = 0
      for (const group of fillGroups([...inputs], plan)) {
        before(n++, plan)
        yield group
      }
    },
  }
}

describe("an import whose reserved bucket got a peer's record, edited here before the bucket was installed", () => {
  it("keeps the peer's record with the edit and every imported record, durably, and the peer converges", async () => {
    const { store, open, peer, fromPeer } = setUp()
    const vault = open()
    const logged: BucketChange[] = []
    const persist = (changes: BucketChange[]) => {
      logged.push(...changes)
      vault.commit(changes)
    }
    let peerRecord = ""
    const inputs = logins(RECORDS)
    const ids = await createInBulk({ open: () => vault, persist }, sourceOf(inputs, (n, plan) => {
      if (n !== 1) return
      // The last group's bucket is reserved and not yet written: the peer, which knows nothing of it, makes a record there.
      const reserved = plan.groups.at(-1)!
      expect(reserved.fresh).toBe(true)
      const made = peer.createMany([{ type: "login", title: "the peer's" }], { ids: peer.newIdsIn([reserved.bucket]) })
      peerRecord = made.ids[0]
      vault.applyEntries(fromPeer(made.changes))
      // The person edits it here: this device's first change in that bucket, before the import's.
      persist(vault.doc.update(peerRecord, { set: { title: "the peer's, edited here" } }).changes)
    }))

    const expectAll = (doc: VaultDoc) => {
      expect(doc.get(peerRecord)?.title).toBe("the peer's, edited here")
      expect(ids.map((id) => doc.get(id)?.title)).toEqual(inputs.map((input) => input.title))
      expect(doc.list({})).toHaveLength(RECORDS + 1)
    }
    expectAll(vault.doc)
    // Durable: a replay of the log (no snapshot was taken) shows the same.
    vault.close()
    expect(store.snapshots()).toHaveLength(0)
    const replayed = open()
    expectAll(replayed.doc)
    // The peer takes every change this device logged, and lists the same records.
    peer.applyChanges(logged)
    expectAll(peer)
    expect(peer.list({})).toEqual(replayed.doc.list({}))
    replayed.close()
    expect(store.entriesOf(replayed.doc.actorId, 0)).toHaveLength(logged.length)
  }, 120_000)
})
