import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { compareKeysetRanks, keysetRank } from "../../../src/store/keyset-rank.js"
import type { VaultStore } from "../../../src/store/vault-store.js"
import { DEVICE_A, DEVICE_B, DEVICE_C, fakeEntry, fakeLog, thrown, trustEntry } from "./fixtures.js"

/**
 * The behaviour every VaultStore must have (automerge-repo's
 * runStorageAdapterTests style). `makeStore` returns a fresh, empty store; the
 * suite closes it after each test.
 */
export function runStoreContractTests(name: string, makeStore: () => VaultStore): void {
  describe(`${name} (VaultStore contract)`, () => {
    let store: VaultStore
    beforeEach(() => {
      store = makeStore()
    })
    afterEach(() => store.close())

    describe("meta", () => {
      it("sets, overwrites, reads and deletes values", () => {
        expect(store.getMeta("accountId")).toBeUndefined()
        store.setMeta("accountId", "one")
        store.setMeta("accountId", "two")
        expect(store.getMeta("accountId")).toBe("two")
        store.deleteMeta("accountId")
        expect(store.getMeta("accountId")).toBeUndefined()
        store.deleteMeta("never-set")
      })
    })

    describe("own log", () => {
      it("appends entries 1, 2, 3 and reports the head", () => {
        for (const entry of fakeLog(DEVICE_A, 3)) store.appendOwn(entry)
        expect(store.head(DEVICE_A)).toBe(3)
        expect(store.entriesOf(DEVICE_A, 0)).toEqual(fakeLog(DEVICE_A, 3))
      })

      it("refuses a first entry that is not seq 1", () => {
        expect(thrown(() => store.appendOwn(fakeEntry(DEVICE_A, 2))).code).toBe("SEQUENCE_GAP")
        expect(store.head(DEVICE_A)).toBe(0)
      })

      it("refuses an entry past head + 1 and a repeat of a held seq", () => {
        for (const entry of fakeLog(DEVICE_A, 2)) store.appendOwn(entry)
        expect(thrown(() => store.appendOwn(fakeEntry(DEVICE_A, 4))).code).toBe("SEQUENCE_GAP")
        expect(thrown(() => store.appendOwn(fakeEntry(DEVICE_A, 2))).code).toBe("SEQUENCE_GAP")
        expect(store.countEntries()).toBe(2)
      })

      it("refuses malformed entries with CORRUPT_DATA", () => {
        const good = fakeEntry(DEVICE_A, 1)
        for (const bad of [
          { ...good, signature: new Uint8Array(10) },
          { ...good, deviceId: "not-hex" },
          { ...good, deviceId: DEVICE_A.toUpperCase() },
          { ...good, seq: 0 },
          { ...good, seq: 1.5 },
          { ...good, epoch: -1 },
          { ...good, ciphertext: new Uint8Array(3) },
        ]) {
          expect(thrown(() => store.appendOwn(bad)).code).toBe("CORRUPT_DATA")
        }
        expect(store.countEntries()).toBe(0)
      })
    })

    describe("entries from peers", () => {
      it("stores a batch in any order and returns what it inserted by device then seq", () => {
        const batch = [fakeEntry(DEVICE_B, 2), fakeEntry(DEVICE_A, 1), fakeEntry(DEVICE_B, 1)]
        const { inserted } = store.insertEntries(batch)
        expect(inserted).toEqual([fakeEntry(DEVICE_A, 1), fakeEntry(DEVICE_B, 1), fakeEntry(DEVICE_B, 2)])
        expect(store.versionVector()).toEqual({ [DEVICE_A]: 1, [DEVICE_B]: 2 })
        expect(store.countEntries()).toBe(3)
      })

      it("stores the same without waiting for the disk (copies from peers)", () => {
        const { inserted } = store.insertEntries([fakeEntry(DEVICE_B, 2), fakeEntry(DEVICE_B, 1)], { waitForDisk: false })
        expect(inserted).toEqual(fakeLog(DEVICE_B, 2))
        expect(store.versionVector()).toEqual({ [DEVICE_B]: 2 })
        expect(thrown(() => store.insertEntries([fakeEntry(DEVICE_B, 4)], { waitForDisk: false })).code).toBe("SEQUENCE_GAP")
      })

      it("skips entries already held byte for byte", () => {
        store.insertEntries(fakeLog(DEVICE_A, 2))
        const { inserted } = store.insertEntries([...fakeLog(DEVICE_A, 2), fakeEntry(DEVICE_A, 3), fakeEntry(DEVICE_A, 3)])
        expect(inserted).toEqual([fakeEntry(DEVICE_A, 3)])
        expect(store.head(DEVICE_A)).toBe(3)
      })

      it("refuses a conflicting copy of a held entry and stores nothing of the batch", () => {
        store.insertEntries(fakeLog(DEVICE_B, 2))
        // A's entries sort first, so they would be written before the conflict is met
        const error = thrown(() => store.insertEntries([fakeEntry(DEVICE_B, 2, 9), fakeEntry(DEVICE_A, 1), fakeEntry(DEVICE_A, 2)]))
        expect(error.code).toBe("CORRUPT_DATA")
        expect(store.versionVector()).toEqual({ [DEVICE_B]: 2 })
        expect(store.entriesOf(DEVICE_B, 1)).toEqual([fakeEntry(DEVICE_B, 2)])
        expect(store.countEntries()).toBe(2)
      })

      it("a conflicting epoch alone is a conflict too", () => {
        store.insertEntries([fakeEntry(DEVICE_A, 1)])
        expect(thrown(() => store.insertEntries([fakeEntry(DEVICE_A, 1, 0, 2)])).code).toBe("CORRUPT_DATA")
      })

      it("refuses a gap with SEQUENCE_GAP and stores nothing of the batch", () => {
        store.insertEntries([fakeEntry(DEVICE_A, 1)])
        const error = thrown(() => store.insertEntries([fakeEntry(DEVICE_B, 1), fakeEntry(DEVICE_A, 2), fakeEntry(DEVICE_A, 4)]))
        expect(error.code).toBe("SEQUENCE_GAP")
        expect(error.data).toMatchObject({ deviceId: DEVICE_A, head: 2, seq: 4 })
        expect(store.versionVector()).toEqual({ [DEVICE_A]: 1 })
        expect(store.countEntries()).toBe(1)
      })

      it("refuses a malformed entry anywhere in the batch and stores nothing", () => {
        const bad = { ...fakeEntry(DEVICE_B, 1), signature: new Uint8Array(63) }
        expect(thrown(() => store.insertEntries([fakeEntry(DEVICE_A, 1), bad])).code).toBe("CORRUPT_DATA")
        expect(store.countEntries()).toBe(0)
      })

      it("continues a log that appendOwn started, and the reverse", () => {
        store.appendOwn(fakeEntry(DEVICE_A, 1))
        store.insertEntries([fakeEntry(DEVICE_A, 2)])
        store.appendOwn(fakeEntry(DEVICE_A, 3))
        expect(store.head(DEVICE_A)).toBe(3)
      })

      it("an empty batch inserts nothing", () => {
        expect(store.insertEntries([])).toEqual({ inserted: [], filled: 0 })
      })
    })

    describe("reading logs", () => {
      beforeEach(() => {
        store.insertEntries([...fakeLog(DEVICE_C, 2), ...fakeLog(DEVICE_A, 3), ...fakeLog(DEVICE_B, 4)])
      })

      it("entriesAfter returns what the vector lacks, by device then seq; a missing device counts as 0", () => {
        const got = store.entriesAfter({ [DEVICE_A]: 3, [DEVICE_B]: 2 })
        expect(got.map((e) => [e.deviceId, e.seq])).toEqual([
          [DEVICE_B, 3], [DEVICE_B, 4], [DEVICE_C, 1], [DEVICE_C, 2],
        ])
      })

      it("entriesAfter with an empty vector returns everything, and ignores devices it does not hold", () => {
        expect(store.entriesAfter({})).toHaveLength(9)
        expect(store.entriesAfter({ ["d".repeat(32)]: 5, [DEVICE_A]: 3, [DEVICE_B]: 4, [DEVICE_C]: 2 })).toEqual([])
        expect(store.entriesAfter({ [DEVICE_A]: 99 })).toHaveLength(6)
      })

      it("entriesAfter honours the limit across devices", () => {
        const got = store.entriesAfter({ [DEVICE_A]: 1 }, 3)
        expect(got.map((e) => [e.deviceId, e.seq])).toEqual([[DEVICE_A, 2], [DEVICE_A, 3], [DEVICE_B, 1]])
      })

      it("entriesOf returns one device's entries after a seq, up to a limit", () => {
        expect(store.entriesOf(DEVICE_B, 1, 2)).toEqual([fakeEntry(DEVICE_B, 2), fakeEntry(DEVICE_B, 3)])
        expect(store.entriesOf(DEVICE_B, 4)).toEqual([])
        expect(store.entriesOf("d".repeat(32), 0)).toEqual([])
      })

      it("head, versionVector and countEntries describe what is held", () => {
        expect(store.head(DEVICE_B)).toBe(4)
        expect(store.head("d".repeat(32))).toBe(0)
        expect(store.versionVector()).toEqual({ [DEVICE_A]: 3, [DEVICE_B]: 4, [DEVICE_C]: 2 })
        expect(store.countEntries()).toBe(9)
      })

      it("refuses a bad limit or a bad vector with a TypeError", () => {
        expect(() => store.entriesAfter({}, 0)).toThrow(TypeError)
        expect(() => store.entriesOf(DEVICE_A, 0, 1.5)).toThrow(TypeError)
        expect(() => store.entriesAfter({ [DEVICE_A]: -1 })).toThrow(TypeError)
        expect(() => store.entriesOf(DEVICE_A, -1)).toThrow(TypeError)
      })

      it("hands out copies: changing a returned entry or an input entry changes nothing stored", () => {
        const [first] = store.entriesOf(DEVICE_A, 0, 1)
        first.ciphertext.fill(0)
        first.signature.fill(0)
        const input = fakeEntry(DEVICE_A, 4)
        store.insertEntries([input])
        input.ciphertext.fill(0)
        expect(store.entriesOf(DEVICE_A, 0)).toEqual([...fakeLog(DEVICE_A, 4)])
      })

      it("returns plain Uint8Arrays", () => {
        const [first] = store.entriesOf(DEVICE_A, 0, 1)
        expect(Object.getPrototypeOf(first.ciphertext)).toBe(Uint8Array.prototype)
        expect(Object.getPrototypeOf(first.signature)).toBe(Uint8Array.prototype)
      })
    })

    describe("snapshots", () => {
      it("keeps one snapshot per bucket, ordered by bucket, until cleared", () => {
        store.putSnapshot({ bucket: 5, epoch: 1, vector: { [DEVICE_A]: 3 }, ciphertext: Uint8Array.of(1, 2) })
        store.putSnapshot({ bucket: 0, epoch: 1, vector: {}, ciphertext: Uint8Array.of(3) })
        store.putSnapshot({ bucket: 5, epoch: 2, vector: { [DEVICE_A]: 4, [DEVICE_B]: 1 }, ciphertext: Uint8Array.of(4) })
        expect(store.snapshots()).toEqual([
          { bucket: 0, epoch: 1, vector: {}, ciphertext: Uint8Array.of(3) },
          { bucket: 5, epoch: 2, vector: { [DEVICE_A]: 4, [DEVICE_B]: 1 }, ciphertext: Uint8Array.of(4) },
        ])
        store.clearSnapshots()
        expect(store.snapshots()).toEqual([])
      })

      it("reads the set a page at a time: buckets from a given one on, at most a given number", () => {
        for (const bucket of [9, 2, 700, 40]) store.putSnapshot({ bucket, epoch: 1, vector: {}, ciphertext: Uint8Array.of(bucket % 256) })
        expect(store.snapshots(0, 1).map((row) => row.bucket)).toEqual([2])
        expect(store.snapshots(3, 2).map((row) => row.bucket)).toEqual([9, 40])
        expect(store.snapshots(41).map((row) => row.bucket)).toEqual([700])
        expect(store.snapshots(701, 5)).toEqual([])
      })

      it("refuses a negative bucket", () => {
        expect(() => store.putSnapshot({ bucket: -1, epoch: 1, vector: {}, ciphertext: Uint8Array.of(1) })).toThrow(TypeError)
      })

      it("a peer's snapshot set replaces the held one, raises heads to its vector and records floors", () => {
        for (const entry of fakeLog(DEVICE_A, 2)) store.appendOwn(entry)
        for (const entry of fakeLog(DEVICE_B, 9)) store.appendOwn(entry)
        store.putSnapshot({ bucket: 7, epoch: 1, vector: { [DEVICE_A]: 1 }, ciphertext: Uint8Array.of(9) })
        const vector = { [DEVICE_A]: 5, [DEVICE_B]: 3 }
        const rows = [0, 1].map((bucket) => ({ bucket, epoch: 2, vector, ciphertext: Uint8Array.of(bucket) }))
        store.adoptSnapshot(rows, vector)
        expect(store.snapshots()).toEqual(rows)
        expect(store.versionVector()).toEqual({ [DEVICE_A]: 5, [DEVICE_B]: 9 })
        expect(store.floorVector()).toEqual({ [DEVICE_A]: 5 })
        // Held entries stay; the snapshot stands in for 3 to 5.
        expect(store.entriesOf(DEVICE_A, 0).map((e) => e.seq)).toEqual([1, 2])
        // The log continues after the floor; entries under it fill the holes, and the floor goes once none is left.
        expect(store.insertEntries(fakeLog(DEVICE_A, 1, 6))).toEqual({ inserted: fakeLog(DEVICE_A, 1, 6), filled: 0 })
        expect(store.insertEntries(fakeLog(DEVICE_A, 1, 4))).toEqual({ inserted: [], filled: 1 })
        expect(store.floorVector()).toEqual({ [DEVICE_A]: 5 })
        expect(store.entriesOf(DEVICE_A, 0).map((e) => e.seq)).toEqual([1, 2, 4, 6])
        expect(store.insertEntries(fakeLog(DEVICE_A, 6))).toEqual({ inserted: [], filled: 2 })
        expect(store.floorVector()).toEqual({})
        expect(store.head(DEVICE_A)).toBe(6)
        expect(store.entriesOf(DEVICE_A, 0)).toEqual(fakeLog(DEVICE_A, 6))
        store.adoptSnapshot([{ bucket: 0, epoch: 2, vector: { [DEVICE_B]: 12 }, ciphertext: Uint8Array.of(1) }], { [DEVICE_B]: 12 })
        expect(store.floorVector()).toEqual({ [DEVICE_B]: 12 })
        store.wipeAccountData()
        expect(store.floorVector()).toEqual({})
      })

      it("refuses a snapshot set whose rows cover different vectors, or name a bucket twice, and keeps what it held", () => {
        store.putSnapshot({ bucket: 0, epoch: 1, vector: {}, ciphertext: Uint8Array.of(3) })
        const mixed = [{ bucket: 0, epoch: 1, vector: { [DEVICE_A]: 1 }, ciphertext: Uint8Array.of(1) }, { bucket: 1, epoch: 1, vector: { [DEVICE_A]: 2 }, ciphertext: Uint8Array.of(2) }]
        expect(thrown(() => store.adoptSnapshot(mixed, { [DEVICE_A]: 2 })).code).toBe("CORRUPT_DATA")
        const twice = [0, 0].map((bucket) => ({ bucket, epoch: 1, vector: { [DEVICE_A]: 2 }, ciphertext: Uint8Array.of(2) }))
        expect(thrown(() => store.adoptSnapshot(twice, { [DEVICE_A]: 2 })).code).toBe("CORRUPT_DATA")
        expect(store.snapshots()).toEqual([{ bucket: 0, epoch: 1, vector: {}, ciphertext: Uint8Array.of(3) }])
        expect(store.versionVector()).toEqual({})
      })
    })

    describe("keyset", () => {
      it("keeps the highest version and says whether it stored", () => {
        expect(store.getKeyset()).toBeUndefined()
        expect(store.putKeyset(2, Uint8Array.of(2))).toBe(true)
        expect(store.putKeyset(1, Uint8Array.of(1))).toBe(false)
        expect(store.putKeyset(2, Uint8Array.of(2))).toBe(false)
        expect(store.getKeyset()).toEqual({ version: 2, blob: Uint8Array.of(2) })
        expect(store.putKeyset(3, Uint8Array.of(3))).toBe(true)
        expect(store.getKeyset()).toEqual({ version: 3, blob: Uint8Array.of(3) })
      })

      it("between two keysets of one version, keeps the one with the higher digest whatever the order", () => {
        const [low, high] = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)].sort((a, b) =>
          compareKeysetRanks(keysetRank({ version: 7, blob: a }), keysetRank({ version: 7, blob: b })))
        expect(store.putKeyset(7, low)).toBe(true)
        expect(store.putKeyset(7, high)).toBe(true)
        expect(store.putKeyset(7, low)).toBe(false)
        expect(store.getKeyset()).toEqual({ version: 7, blob: high })
      })
    })

    describe("trust list", () => {
      it("adds, replaces and lists devices by addedAt then deviceId", () => {
        store.putTrust(trustEntry(DEVICE_B, 20))
        store.putTrust(trustEntry(DEVICE_C, 10))
        store.putTrust(trustEntry(DEVICE_A, 20))
        store.putTrust(trustEntry(DEVICE_C, 10, { name: "laptop" }))
        expect(store.trustList().map((t) => [t.deviceId, t.name])).toEqual([
          [DEVICE_C, "laptop"], [DEVICE_A, `device ${DEVICE_A.slice(0, 4)}`], [DEVICE_B, `device ${DEVICE_B.slice(0, 4)}`],
        ])
        expect(store.getTrust(DEVICE_A)).toEqual(trustEntry(DEVICE_A, 20))
        expect(store.getTrust("d".repeat(32))).toBeUndefined()
      })

      it("revocation is kept: the earliest time wins and a later put cannot undo it", () => {
        store.putTrust(trustEntry(DEVICE_A, 1))
        store.revokeTrust(DEVICE_A, 50)
        store.revokeTrust(DEVICE_A, 70)
        expect(store.getTrust(DEVICE_A)?.revokedAt).toBe(50)
        store.putTrust(trustEntry(DEVICE_A, 1, { name: "renamed" }))
        expect(store.getTrust(DEVICE_A)).toMatchObject({ name: "renamed", revokedAt: 50 })
        store.putTrust(trustEntry(DEVICE_A, 1, { revokedAt: 40 }))
        expect(store.getTrust(DEVICE_A)?.revokedAt).toBe(40)
      })

      it("a rename's time is kept with the name (and survives a reopen of the same store)", () => {
        store.putTrust(trustEntry(DEVICE_A, 1, { name: "work", renamedAt: 1234 }))
        expect(store.getTrust(DEVICE_A)).toMatchObject({ name: "work", renamedAt: 1234 })
        expect(store.trustList().find((t) => t.deviceId === DEVICE_A)?.renamedAt).toBe(1234)
      })

      it("a rename's signature is kept with the name and time, and replaced by the next rename's", () => {
        const first = new Uint8Array(64).fill(5)
        store.putTrust(trustEntry(DEVICE_A, 1, { name: "work", renamedAt: 1234, renameSig: first }))
        expect(store.getTrust(DEVICE_A)?.renameSig).toEqual(first)
        expect(store.trustList().find((t) => t.deviceId === DEVICE_A)?.renameSig).toEqual(first)
        const second = new Uint8Array(64).fill(6)
        store.putTrust(trustEntry(DEVICE_A, 1, { name: "home", renamedAt: 2000, renameSig: second }))
        expect(store.getTrust(DEVICE_A)).toMatchObject({ name: "home", renamedAt: 2000, renameSig: second })
        expect(() => store.putTrust(trustEntry(DEVICE_A, 1, { name: "x", renamedAt: 3000, renameSig: new Uint8Array(10) }))).toThrow(/rename signature/)
        expect(store.getTrust(DEVICE_A)?.name).toBe("home")
      })

      it("revoking an unknown device is NOT_FOUND", () => {
        expect(thrown(() => store.revokeTrust(DEVICE_A, 1)).code).toBe("NOT_FOUND")
      })

      it("touch only moves lastSeenAt forward and ignores unknown devices", () => {
        store.putTrust(trustEntry(DEVICE_A, 1))
        store.touchTrust(DEVICE_A, 100)
        store.touchTrust(DEVICE_A, 90)
        store.touchTrust(DEVICE_B, 100)
        expect(store.getTrust(DEVICE_A)?.lastSeenAt).toBe(100)
        expect(store.getTrust(DEVICE_B)).toBeUndefined()
      })

      it("refuses a malformed trust entry", () => {
        expect(() => store.putTrust({ ...trustEntry(DEVICE_A, 1), signPublic: new Uint8Array(31) })).toThrow(TypeError)
        expect(() => store.putTrust(trustEntry("xyz", 1))).toThrow(TypeError)
      })
    })

    describe("identity", () => {
      it("stores and replaces this device's keys", () => {
        expect(store.getIdentity()).toBeUndefined()
        expect(store.getDeviceId()).toBeUndefined()
        const identity = { deviceId: DEVICE_A, signSecret: new Uint8Array(32).fill(7), dhSecret: new Uint8Array(32).fill(8) }
        store.setIdentity(identity)
        expect(store.getIdentity()).toEqual(identity)
        expect(store.getDeviceId()).toBe(DEVICE_A)
        store.setIdentity({ ...identity, deviceId: DEVICE_B })
        expect(store.getIdentity()?.deviceId).toBe(DEVICE_B)
        expect(store.getDeviceId()).toBe(DEVICE_B)
        expect(() => store.setIdentity({ ...identity, dhSecret: new Uint8Array(16) })).toThrow(TypeError)
      })
    })

    describe("wipeAccountData", () => {
      it("removes entries, snapshots, keyset and trust, keeping meta and identity", () => {
        const identity = { deviceId: DEVICE_A, signSecret: new Uint8Array(32), dhSecret: new Uint8Array(32) }
        store.setIdentity(identity)
        store.setMeta("accountId", "x")
        store.insertEntries(fakeLog(DEVICE_A, 3))
        store.putSnapshot({ bucket: 0, epoch: 1, vector: {}, ciphertext: Uint8Array.of(1) })
        store.putKeyset(4, Uint8Array.of(4))
        store.putTrust(trustEntry(DEVICE_A, 1))
        store.wipeAccountData()
        expect([store.countEntries(), store.versionVector(), store.snapshots(), store.getKeyset(), store.trustList()])
          .toEqual([0, {}, [], undefined, []])
        expect(store.getMeta("accountId")).toBe("x")
        expect(store.getIdentity()).toEqual(identity)
        store.appendOwn(fakeEntry(DEVICE_A, 1))
        expect(store.putKeyset(1, Uint8Array.of(1))).toBe(true)
      })
    })

    describe("transactions", () => {
      it("commits what fn wrote and returns its value", () => {
        const value = store.transaction(() => {
          store.setMeta("k", "v")
          store.appendOwn(fakeEntry(DEVICE_A, 1))
          return 42
        })
        expect(value).toBe(42)
        expect([store.getMeta("k"), store.head(DEVICE_A)]).toEqual(["v", 1])
      })

      it("rolls back everything fn wrote when it throws", () => {
        store.putKeyset(1, Uint8Array.of(1))
        expect(() => store.transaction(() => {
          store.setMeta("k", "v")
          store.appendOwn(fakeEntry(DEVICE_A, 1))
          store.putKeyset(2, Uint8Array.of(2))
          store.putTrust(trustEntry(DEVICE_A, 1))
          throw new Error("boom")
        })).toThrow("boom")
        expect([store.getMeta("k"), store.head(DEVICE_A), store.getKeyset()?.version, store.trustList()])
          .toEqual([undefined, 0, 1, []])
      })

      it("nests: a failed inner transaction that the outer one catches undoes only itself", () => {
        store.transaction(() => {
          store.setMeta("outer", "1")
          try {
            store.transaction(() => {
              store.setMeta("inner", "1")
              store.insertEntries([fakeEntry(DEVICE_A, 1), fakeEntry(DEVICE_A, 3)])
            })
          } catch {
            // expected: the gap
          }
          store.insertEntries([fakeEntry(DEVICE_B, 1)])
        })
        expect([store.getMeta("outer"), store.getMeta("inner"), store.versionVector()])
          .toEqual(["1", undefined, { [DEVICE_B]: 1 }])
      })

      it("a refused insert inside a transaction leaves earlier writes of that transaction intact", () => {
        store.transaction(() => {
          store.appendOwn(fakeEntry(DEVICE_A, 1))
          expect(thrown(() => store.insertEntries([fakeEntry(DEVICE_B, 2)])).code).toBe("SEQUENCE_GAP")
        })
        expect(store.versionVector()).toEqual({ [DEVICE_A]: 1 })
      })

      it("refuses an async fn and rolls back what it wrote before returning", () => {
        expect(() => store.transaction(() => {
          store.setMeta("k", "v")
          return Promise.resolve(1)
        })).toThrow(TypeError)
        expect(store.getMeta("k")).toBeUndefined()
      })
    })
  })
}
