import { describe, expect, it } from "vitest"
import { randomBytes, sign, type DeviceKeys } from "../../../src/crypto/index.js"
import type { SnapshotRow, VersionVector } from "../../../src/store/vault-store.js"
import { decodeMessage, encodeMessage, type SnapshotMessage, type SyncMessage } from "../../../src/sync/messages.js"
import type { SnapshotPort } from "../../../src/sync/snapshot-exchange.js"
import { MAX_SNAPSHOT_BUCKET_BYTES } from "../../../src/sync/snapshot-intake.js"
import { snapshotSigningBytes } from "../../../src/sync/snapshot-part.js"
import { NO_KEYSET } from "../../../src/store/keyset-rank.js"
import { linkPair } from "./memory-link.js"
import type { TraceLine } from "./memory-link.js"
import { appendOwn, connect, dump, makeAccount, newDeviceIdentity, settle, type Account, type Device } from "./sync-fixtures.js"

const BUCKETS = 4
const EPOCH = 1
const SNAPSHOT_TYPE = 7
const ENTRIES_TYPE = 2

/** The port a daemon builds (account/SnapshotSigner), over a device's own keys. */
function port(device: { keys: DeviceKeys }): SnapshotPort {
  return {
    signAll: (messages) => messages.map((message) => sign(device.keys.signSecret, message)),
    knownEpochs: () => new Set([EPOCH]),
  }
}

/** An account of devices that serve and take snapshots; a peer missing 100 entries or more is far behind. */
function snapshotAccount(names: string[]): Account {
  return makeAccount(names, { snapshotMinEntries: 100 }, undefined, port)
}

function rowsFor(vector: VersionVector, bytes = 48): SnapshotRow[] {
  return Array.from({ length: BUCKETS }, (_, bucket) => ({ bucket, epoch: EPOCH, vector, ciphertext: randomBytes(bytes) }))
}

/** A part of a snapshot set, signed by `signer` for `accountId`. */
function part(accountId: Uint8Array, signer: { keys: DeviceKeys }, fields: Partial<SnapshotMessage> & { vector: VersionVector }): SnapshotMessage {
  const unsigned = { bucketCount: BUCKETS, bucket: 0, epoch: EPOCH, ciphertext: randomBytes(48), ...fields }
  return { type: "snapshot", ...unsigned, signature: sign(signer.keys.signSecret, snapshotSigningBytes(accountId, unsigned)) }
}

/** Drives device `from`'s end of a link to `target` by hand: hello (with `from`'s real vector), then `messages`. */
async function sendRaw(target: Device, from: Device, messages: SyncMessage[]): Promise<{ closedWith: string | undefined }> {
  const [targetEnd, raw] = linkPair(target.deviceId, from.deviceId)
  raw.onMessage(() => {})
  target.replicator.addLink(targetEnd)
  raw.send(encodeMessage({ type: "hello", vector: from.store.versionVector(), keyset: NO_KEYSET, trust: [] }))
  for (const message of messages) raw.send(encodeMessage(message))
  await settle()
  return { closedWith: raw.closedWith }
}

describe("snapshot-first sync", () => {
  it("a new device takes the snapshot first, then only the log tail, then the entries under it", async () => {
    const account = snapshotAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 1_000)
    const rows = rowsFor({ [a.deviceId]: 1_000 })
    for (const row of rows) a.store.putSnapshot(row)
    appendOwn(account, a, 20)
    const adopted: VersionVector[] = []
    b.replicator.on("snapshot", ({ vector }) => adopted.push(vector))
    const trace: TraceLine[] = []

    const [aToB] = connect(a, b, trace)
    await settle()

    const toB = aToB.sent.map(decodeMessage)
    const types = toB.map((m) => m.type)
    expect(types.filter((t) => t === "snapshot")).toHaveLength(BUCKETS)
    expect(types.indexOf("entries")).toBeGreaterThan(types.lastIndexOf("snapshot"))
    const batches = toB.filter((m) => m.type === "entries")
    // The tail first (1001…1020), counted as the whole catch-up; the backfill after it.
    expect(batches[0]).toMatchObject({ total: 20, final: true })
    expect(batches[0].entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 1_001 + i))
    expect(batches.slice(1).flatMap((m) => m.entries).map((e) => e.seq)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1))
    expect(adopted).toEqual([{ [a.deviceId]: 1_000 }])
    expect(b.store.snapshots()).toEqual(rows)
    // Once the backfill is in, B holds the whole log like any device, and no floor.
    expect(dump(b.store)).toEqual(dump(a.store))
    expect(b.store.floorVector()).toEqual({})
    expect(b.replicator.sessions()[0].state).toBe("idle")
  })

  it("a device only a little behind gets entries, no snapshot", async () => {
    const account = snapshotAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 50)
    for (const row of rowsFor({ [a.deviceId]: 50 })) a.store.putSnapshot(row)
    const [aToB] = connect(a, b)
    await settle()
    expect(aToB.sent.map(decodeMessage).some((m) => m.type === "snapshot")).toBe(false)
    expect(b.store.snapshots()).toEqual([])
    expect(b.store.head(a.deviceId)).toBe(50)
  })

  it("a device missing few entries that weigh much (an import's: one per bucket) starts from the snapshot too", async () => {
    const account = snapshotAccount(["a", "b"])
    const [a, b] = account.devices
    // 20 entries, fewer than the 100 that make a device far behind here, but 20 × 40 KB ≥ SNAPSHOT_MIN_MISSING_BYTES.
    appendOwn(account, a, 20, 40_000)
    const rows = rowsFor({ [a.deviceId]: 20 })
    for (const row of rows) a.store.putSnapshot(row)
    const [aToB] = connect(a, b)
    await settle()
    const toB = aToB.sent.map(decodeMessage)
    expect(toB.filter((m) => m.type === "snapshot")).toHaveLength(BUCKETS)
    expect(b.store.snapshots()).toEqual(rows)
    expect(dump(b.store)).toEqual(dump(a.store))
  })

  it("a snapshot from a device that is not trusted is refused: link closed, nothing stored", async () => {
    const account = snapshotAccount(["a", "b"])
    const [, b] = account.devices
    const stranger = { ...newDeviceIdentity("stranger"), store: account.devices[0].store } as unknown as Device
    const result = await sendRaw(b, stranger, [part(account.accountId, stranger, { vector: {} })])
    expect(result.closedWith).toBe("protocol error")
    expect(b.store.snapshots()).toEqual([])
    expect(b.logger.lines.some((l) => l.level === "warn" && l.fields.code === "BAD_SIGNATURE")).toBe(true)
  })

  const refusals: Array<[string, (account: Account, a: Device) => SnapshotMessage, string]> = [
    ["for another account", (_account, a) => part(randomBytes(16), a, { vector: { [a.deviceId]: 10 } }), "BAD_SIGNATURE"],
    ["larger than its bucket could hold", (account, a) => part(account.accountId, a, { vector: { [a.deviceId]: 10 }, ciphertext: new Uint8Array(MAX_SNAPSHOT_BUCKET_BYTES + 1) }), "PROTOCOL_ERROR"],
    ["sealed under an epoch the keyset does not name", (account, a) => part(account.accountId, a, { vector: { [a.deviceId]: 10 }, epoch: 7 }), "PROTOCOL_ERROR"],
    ["claiming entries its sender does not hold", (account, a) => part(account.accountId, a, { vector: { [a.deviceId]: 11 } }), "PROTOCOL_ERROR"],
    ["of more buckets than a vault can have", (account, a) => part(account.accountId, a, { vector: { [a.deviceId]: 10 }, bucketCount: 65_537 }), "PROTOCOL_ERROR"],
    ["naming a bucket past the u16 a log entry carries", (account, a) => part(account.accountId, a, { vector: { [a.deviceId]: 10 }, bucket: 65_536 }), "PROTOCOL_ERROR"],
  ]
  for (const [what, make, code] of refusals) {
    it(`a snapshot ${what} is refused: link closed, nothing overwritten`, async () => {
      const account = snapshotAccount(["a", "b"])
      const [a, b] = account.devices
      appendOwn(account, a, 10)
      const held = rowsFor({})
      for (const row of held) b.store.putSnapshot(row)
      const result = await sendRaw(b, a, [make(account, a)])
      expect(result.closedWith).toBe("protocol error")
      expect(b.store.snapshots()).toEqual(held)
      expect(b.store.versionVector()).toEqual({})
      expect(b.logger.lines.filter((l) => l.level === "warn").map((l) => l.fields.code)).toEqual([code])
    })
  }

  it("a set whose parts name different vectors is refused, and nothing of it stored", async () => {
    const account = snapshotAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 10)
    const result = await sendRaw(b, a, [
      part(account.accountId, a, { bucket: 0, vector: { [a.deviceId]: 10 } }),
      part(account.accountId, a, { bucket: 1, vector: { [a.deviceId]: 9 } }),
    ])
    expect(result.closedWith).toBe("protocol error")
    expect(b.store.snapshots()).toEqual([])
  })

  it("a set whose parts name different bucket counts is refused, and nothing of it stored", async () => {
    const account = snapshotAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 10)
    const result = await sendRaw(b, a, [
      part(account.accountId, a, { bucket: 0, bucketCount: 3, vector: { [a.deviceId]: 10 } }),
      part(account.accountId, a, { bucket: 900, bucketCount: 2, vector: { [a.deviceId]: 10 } }),
    ])
    expect(result.closedWith).toBe("protocol error")
    expect(b.store.snapshots()).toEqual([])
  })

  it("a set names any bucket numbers (a record names its bucket): all of them are taken", async () => {
    const account = snapshotAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 10)
    const buckets = [3, 700, 65_535]
    const parts = buckets.map((bucket) => part(account.accountId, a, { bucket, bucketCount: buckets.length, vector: { [a.deviceId]: 10 } }))
    const result = await sendRaw(b, a, parts)
    expect(result.closedWith).toBeUndefined()
    expect(b.store.snapshots().map((row) => row.bucket)).toEqual(buckets)
    expect(b.store.versionVector()).toEqual({ [a.deviceId]: 10 })
  })

  it("a valid snapshot older than the one held never overwrites it", async () => {
    const account = snapshotAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 10)
    b.store.insertEntries(a.store.entriesAfter({}))
    const newer = rowsFor({ [a.deviceId]: 10 })
    for (const row of newer) b.store.putSnapshot(row)
    const parts = Array.from({ length: BUCKETS }, (_, bucket) => part(account.accountId, a, { bucket, vector: { [a.deviceId]: 4 } }))
    const result = await sendRaw(b, a, parts)
    expect(result.closedWith).toBeUndefined()
    expect(b.store.snapshots()).toEqual(newer)
    expect(b.store.floorVector()).toEqual({})
  })
})
