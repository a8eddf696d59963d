import { describe, expect, it } from "vitest"
import { generateDeviceKeys, randomBytes, toHex, utf8 } from "../../../src/crypto/index.js"
import { silentLogger } from "../../../src/log.js"
import { decodeBucketSnapshot, encodeBucketSnapshot } from "../../../src/merge/bucket-snapshot.js"
import { VaultDoc, type RecordInput } from "../../../src/merge/index.js"
import { sealEntry } from "../../../src/store/log-entry.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { encodePayload } from "../../../src/vault/change-payload.js"
import { writeSnapshots } from "../../../src/vault/snapshot-set.js"
import { UnlockedVault } from "../../../src/vault/unlocked-vault.js"

const BUCKETS = 64
const RECORDS = 300

function record(n: number): RecordInput {
  return {
    type: n % 3 === 0 ? "note" : "login", title: `record ${n}`, tags: n % 5 === 0 ? ["work"] : [],
    fields: { username: { value: `user${n}`, kind: "text" }, password: { value: `pw-${n}`, kind: "secret" } },
  }
}

/** One device's vault over an in-memory store, opened and reopened as an unlock would. */
function setUp() {
  const store = new MemoryStore()
  const accountId = randomBytes(16)
  const identity = { deviceId: toHex(randomBytes(16)), signSecret: generateDeviceKeys().signSecret }
  const vaultKey = randomBytes(32)
  const deps = { store, logger: silentLogger(), identity, accountId }
  const keys = () => ({ currentEpoch: 1, keys: new Map([[1, vaultKey.slice()]]) })
  const open = () => UnlockedVault.open(deps, keys(), BUCKETS)
  const fill = (vault: UnlockedVault) => {
    const ids: string[] = []
    for (let n = 0; n < RECORDS; n += 50) {
      const { ids: made, changes } = vault.doc.createMany(Array.from({ length: 50 }, (_, i) => record(n + i)))
      vault.commit(changes)
      ids.push(...made)
    }
    return ids
  }
  /** What a full replay of the log shows (the snapshots set aside for it). */
  const fullReplay = () => {
    const rows = store.snapshots()
    store.clearSnapshots()
    const vault = open()
    const view = views(vault)
    vault.close()
    for (const row of rows) store.putSnapshot(row)
    return view
  }
  return { store, deps, keys, open, fill, fullReplay, vaultKey, accountId }
}

function views(vault: UnlockedVault) {
  return { list: vault.doc.list({}), trash: vault.doc.list({ trash: true }), work: vault.doc.list({ tag: "work" }), size: vault.doc.size }
}

describe("unlocking from the snapshot's summary index", () => {
  it("loads no bucket to list, count and check records, and lists what a full replay lists", () => {
    const { open, fill, fullReplay } = setUp()
    const first = open()
    const ids = fill(first)
    first.snapshot()
    const expected = views(first)
    first.close()
    const vault = open()
    expect(vault.doc.loadedBuckets).toBe(0)
    expect(views(vault)).toEqual(expected)
    expect(vault.doc.has(ids[7])).toBe(true)
    expect(vault.doc.loadedBuckets).toBe(0)
    expect(vault.doc.get(ids[7])?.fields.password.value).toBe("pw-7")
    expect(vault.doc.loadedBuckets).toBe(1)
    expect(views(vault)).toEqual(fullReplay())
  })

  it("applies the entries written after the snapshot (a crash before the next one), loading only their buckets, before listing", () => {
    const { open, fill, fullReplay, store, accountId, vaultKey } = setUp()
    const first = open()
    const ids = fill(first)
    first.snapshot()
    const tail = [
      ...first.doc.update(ids[1], { set: { title: "edited after the snapshot" } }).changes,
      ...first.doc.trash(ids[2]),
      ...first.doc.deletePermanently(ids[3]),
      ...first.doc.create(record(1000)).changes,
    ]
    first.commit(tail)
    // A peer's entry, stored but not in the snapshot either.
    const peer = toHex(randomBytes(16))
    const remote = new VaultDoc({}, { actorId: peer, bucketCount: BUCKETS }).create({ type: "note", title: "from a peer" }).changes[0]
    store.insertEntries([sealEntry({ accountId, deviceId: peer, seq: 1, epoch: 1, vaultKey, signSecret: generateDeviceKeys().signSecret, payload: encodePayload(remote) })])
    // No close(): the process died here.
    const vault = open()
    const touched = new Set([...tail, remote].map((c) => c.bucket))
    expect(vault.doc.loadedBuckets).toBe(touched.size)
    const titles = vault.doc.list({}).map((r) => r.title)
    expect(titles).toContain("edited after the snapshot")
    expect(titles).toContain("from a peer")
    expect(titles).toContain("record 1000")
    expect(vault.doc.list({ trash: true }).map((r) => r.id)).toEqual([ids[2]])
    expect(vault.doc.has(ids[3])).toBe(false)
    expect(views(vault)).toEqual(fullReplay())
  })

  it("reads buckets whose snapshot has no index (an older lanvault's) or a broken one, and makes the next snapshot due", () => {
    const { open, fill, fullReplay, deps, keys } = setUp()
    const first = open()
    fill(first)
    const expected = views(first)
    // One bucket as an older lanvault wrote it (a plain Automerge save), another with an index that is not JSON.
    // Two that hold records: the allocator places them at random, and a given bucket is empty in about one fill of 100.
    const doc = first.doc
    const [plain, broken] = doc.bucketNumbers()
    const rewritten = {
      bucketNumbers: () => doc.bucketNumbers(),
      saveBucket: (bucket: number) => {
        const saved = decodeBucketSnapshot(doc.saveBucket(bucket), bucket, BUCKETS).saved
        return bucket === plain ? saved : bucket === broken ? encodeBucketSnapshot(saved, utf8("[{")) : doc.saveBucket(bucket)
      },
    } as unknown as VaultDoc
    writeSnapshots(deps, keys(), rewritten, deps.store.versionVector())
    first.close()
    const vault = open()
    expect(vault.doc.loadedBuckets).toBe(2)
    expect(vault.entriesPending).toBeGreaterThanOrEqual(1_000)
    expect(views(vault)).toEqual(expected)
    vault.snapshot()
    vault.close()
    const again = open()
    expect(again.doc.loadedBuckets).toBe(0)
    expect(views(again)).toEqual(expected)
    expect(views(again)).toEqual(fullReplay())
  })

  it("replays the whole log when the snapshot set is for an epoch it holds no key of", () => {
    const { open, fill, store } = setUp()
    const first = open()
    fill(first)
    first.snapshot()
    const expected = views(first)
    first.close()
    for (const row of store.snapshots()) store.putSnapshot({ ...row, epoch: 77 })
    const vault = open()
    expect(views(vault)).toEqual(expected)
  })

  it("stays equal to a full replay over lock/unlock cycles with edits, remote merges, trash and restore", () => {
    const { open, fill, fullReplay, store, accountId, vaultKey } = setUp()
    let vault = open()
    const ids = fill(vault)
    const peer = toHex(randomBytes(16))
    const peerDoc = new VaultDoc({}, { actorId: peer, bucketCount: BUCKETS })
    const peerSign = generateDeviceKeys().signSecret
    for (let cycle = 0; cycle < 4; cycle++) {
      vault.commit([
        ...vault.doc.update(ids[cycle * 3], { set: { title: `cycle ${cycle}` } }).changes,
        ...vault.doc.update(ids[cycle * 3 + 1], { set: { trashed: cycle % 2 === 0 } }).changes,
      ])
      const remote = peerDoc.create({ type: "login", title: `peer ${cycle}` }).changes[0]
      const entry = sealEntry({ accountId, deviceId: peer, seq: cycle + 1, epoch: 1, vaultKey, signSecret: peerSign, payload: encodePayload(remote) })
      store.insertEntries([entry])
      vault.applyEntries([entry])
      if (cycle % 2 === 0) vault.snapshot()
      const before = views(vault)
      vault.close()
      vault = open()
      expect(views(vault)).toEqual(before)
    }
    expect(views(vault)).toEqual(fullReplay())
  })
})

describe("an unlock that replays a long log", () => {
  it("runs in slices: timers and other calls are served meanwhile, and it merges what arrives meanwhile", async () => {
    const { open, fill, deps, keys, accountId, vaultKey, store } = setUp()
    const first = open()
    for (let i = 0; i < 6; i++) fill(first)
    const expected = views(first)
    first.close()
    store.clearSnapshots()
    let ticks = 0
    const ticker = setInterval(() => (ticks += 1), 0)
    const opening = UnlockedVault.openInSlices(deps, keys(), BUCKETS)
    // A peer's entry stored while the unlock runs must be in what it returns.
    await new Promise((resolve) => setImmediate(resolve))
    const peer = toHex(randomBytes(16))
    const remote = new VaultDoc({}, { actorId: peer, bucketCount: BUCKETS }).create({ type: "note", title: "arrived while unlocking" }).changes[0]
    store.insertEntries([sealEntry({ accountId, deviceId: peer, seq: 1, epoch: 1, vaultKey, signSecret: generateDeviceKeys().signSecret, payload: encodePayload(remote) })])
    const vault = await opening
    clearInterval(ticker)
    expect(ticks).toBeGreaterThan(2)
    expect(vault.doc.size).toBe(expected.size + 1)
    expect(vault.doc.list({}).map((r) => r.title)).toContain("arrived while unlocking")
  })

  it("reports its replay: entries read of those past the snapshot, the last report once they are merged", async () => {
    const { open, deps, keys, store } = setUp()
    const first = open()
    const ENTRIES = 700 // more than one slice's page
    for (let n = 0; n < ENTRIES; n++) first.commit(first.doc.create(record(n)).changes)
    first.close()
    store.clearSnapshots()
    const reports: Array<[number, number]> = []
    const vault = await UnlockedVault.openInSlices(deps, keys(), BUCKETS, (done, total) => reports.push([done, total]))
    expect(vault.doc.size).toBe(ENTRIES)
    expect(reports.length).toBeGreaterThanOrEqual(3)
    expect(reports.every(([, total]) => total === ENTRIES)).toBe(true)
    expect(reports.slice(0, -1).every(([done], i) => done < ENTRIES && (i === 0 || done >= reports[i - 1][0]))).toBe(true)
    expect(reports.at(-1)).toEqual([ENTRIES, ENTRIES])

    // Nothing past the snapshot: nothing to report.
    vault.snapshot()
    vault.close()
    const quiet: Array<[number, number]> = []
    ;(await UnlockedVault.openInSlices(deps, keys(), BUCKETS, (done, total) => quiet.push([done, total]))).close()
    expect(quiet).toEqual([])
  })
})
