import { describe, expect, it } from "vitest"
import { randomBytes } from "../../../src/crypto/index.js"
import { compareKeysetRanks, keysetRank, NO_KEYSET } from "../../../src/store/keyset-rank.js"
import { decodeMessage, encodeMessage, type SyncMessage } from "../../../src/sync/messages.js"
import { linkPair } from "./memory-link.js"
import { appendOwn, connect, makeAccount, newDeviceIdentity, renameSigned, revokeSigned, settle, signedAdd, trustOf } from "./sync-fixtures.js"

const blob = (version: number) => new Uint8Array(48).fill(version)

describe("keyset propagation", () => {
  it("the higher keyset version wins on connect, both ways", async () => {
    const [a, b] = makeAccount(["a", "b"]).devices
    a.store.putKeyset(2, blob(2))
    b.store.putKeyset(1, blob(1))
    const events: string[] = []
    a.replicator.on("keyset", ({ version }) => events.push(`a${version}`))
    b.replicator.on("keyset", ({ version }) => events.push(`b${version}`))
    connect(a, b)
    await settle()
    expect(b.store.getKeyset()).toEqual({ version: 2, blob: blob(2) })
    expect(a.store.getKeyset()).toEqual({ version: 2, blob: blob(2) })
    expect(events).toEqual(["b2"])
  })

  it("a device without a keyset gets one (a new device)", async () => {
    const [a, b] = makeAccount(["a", "b"]).devices
    b.store.putKeyset(1, blob(1))
    connect(a, b)
    await settle()
    expect(a.store.getKeyset()?.version).toBe(1)
  })

  it("a new keyset spreads along a line A–B–C, live and through a relay", async () => {
    const [a, b, c] = makeAccount(["a", "b", "c"]).devices
    for (const d of [a, b, c]) d.store.putKeyset(1, blob(1))
    connect(a, b)
    connect(b, c)
    await settle()
    a.store.putKeyset(3, blob(3))
    a.replicator.publishKeyset()
    await settle()
    expect(b.store.getKeyset()?.version).toBe(3)
    expect(c.store.getKeyset()).toEqual({ version: 3, blob: blob(3) })
  })

  it("a lower keyset from a peer is ignored", async () => {
    const [a, x] = makeAccount(["a", "x"]).devices
    a.store.putKeyset(2, blob(2))
    const events: number[] = []
    a.replicator.on("keyset", ({ version }) => events.push(version))
    const [toX, evil] = linkPair(a.deviceId, x.deviceId)
    const got: SyncMessage[] = []
    evil.onMessage((bytes) => got.push(decodeMessage(bytes)))
    a.replicator.addLink(toX)
    evil.send(encodeMessage({ type: "hello", vector: {}, keyset: { version: 1, digest: new Uint8Array(32) }, trust: [] }))
    evil.send(encodeMessage({ type: "keyset", version: 1, accountKey: new Uint8Array(16).fill(7), blob: blob(1) }))
    await settle()
    expect(a.store.getKeyset()).toEqual({ version: 2, blob: blob(2) })
    expect(a.accountKey).not.toEqual(new Uint8Array(16).fill(7))
    expect(events).toEqual([])
    expect(evil.closedWith).toBeUndefined()
    expect(got.filter((m) => m.type === "keyset")).toEqual([{ type: "keyset", version: 2, accountKey: a.accountKey, blob: blob(2) }])
  })

  it("two keysets of the same version (made on both sides of a partition): both devices end with the same one", async () => {
    for (let trial = 0; trial < 8; trial++) {
      const [a, b, c] = makeAccount(["a", "b", "c"]).devices
      const [fromA, fromB] = [randomBytes(64), randomBytes(64)]
      a.store.putKeyset(2, fromA)
      b.store.putKeyset(2, fromB)
      b.accountKey = randomBytes(16)
      connect(a, b)
      connect(b, c)
      await settle()
      const winner = compareKeysetRanks(keysetRank({ version: 2, blob: fromA }), keysetRank({ version: 2, blob: fromB })) > 0 ? a : b
      const expected = winner === a ? fromA : fromB
      for (const d of [a, b, c]) {
        expect(d.store.getKeyset()).toEqual({ version: 2, blob: expected })
        expect(d.accountKey).toEqual(winner.accountKey)
      }
    }
  })

  it("the account key travels with the keyset it opens", async () => {
    const [a, b] = makeAccount(["a", "b"]).devices
    for (const d of [a, b]) d.store.putKeyset(1, blob(1))
    connect(a, b)
    await settle()
    a.store.putKeyset(2, blob(2))
    a.accountKey = randomBytes(16)
    a.replicator.publishKeyset()
    await settle()
    expect(b.store.getKeyset()).toEqual({ version: 2, blob: blob(2) })
    expect(b.accountKey).toEqual(a.accountKey)
  })

  it("a device not in the trust list is never sent a keyset, and one it sends closes the link", async () => {
    const [a] = makeAccount(["a"]).devices
    a.store.putKeyset(2, blob(2))
    const stranger = newDeviceIdentity("stranger")
    const [toStranger, evil] = linkPair(a.deviceId, stranger.deviceId)
    const got: SyncMessage[] = []
    evil.onMessage((bytes) => got.push(decodeMessage(bytes)))
    a.replicator.addLink(toStranger)
    evil.send(encodeMessage({ type: "hello", vector: {}, keyset: NO_KEYSET, trust: [] }))
    await settle()
    expect(got.map((m) => m.type)).not.toContain("keyset")
    evil.send(encodeMessage({ type: "keyset", version: 9, accountKey: randomBytes(16), blob: blob(9) }))
    await settle()
    expect(evil.closedWith).toBe("protocol error")
    expect(a.store.getKeyset()).toEqual({ version: 2, blob: blob(2) })
  })
})

describe("trust merge between devices", () => {
  it("a device learns the devices its peer trusts, and emits trust", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const tablet = newDeviceIdentity("tablet")
    a.store.putTrust(signedAdd(account.accountId, trustOf(tablet, 5_000)))
    let trustEvents = 0
    b.replicator.on("trust", () => trustEvents++)
    connect(a, b)
    await settle()
    expect(b.store.getTrust(tablet.deviceId)).toMatchObject({ name: "tablet", addedAt: 5_000, signPublic: tablet.keys.signPublic })
    expect(trustEvents).toBe(1)
  })

  it("a revocation is sticky: it spreads, the earliest time wins, and nobody un-revokes", async () => {
    const account = makeAccount(["a", "b", "c", "x"])
    const [a, b, c, x] = account.devices
    connect(c, x)
    await settle()
    revokeSigned(account.accountId, a.store, x.deviceId, 100)
    revokeSigned(account.accountId, b.store, x.deviceId, 200)
    const disconnected: string[] = []
    c.replicator.on("peer.disconnected", ({ deviceId, reason }) => disconnected.push(`${deviceId === x.deviceId}:${reason}`))

    connect(a, b)
    connect(b, c)
    await settle()

    for (const d of [a, b, c]) expect(d.store.getTrust(x.deviceId)?.revokedAt).toBe(100)
    // c trusted x and was connected to it: learning of the revocation cuts it off.
    expect(disconnected).toEqual(["true:revoked"])
    expect(c.replicator.sessions().map((s) => s.remoteDeviceId)).toEqual([b.deviceId])
  })

  it("entries a revoked device made after its cutoff are refused, also when a third device relays them", async () => {
    const account = makeAccount(["a", "relay", "x"])
    const [a, relay, x] = account.devices
    const before = appendOwn(account, x, 2)
    a.store.insertEntries(before)
    revokeSigned(account.accountId, a.store, x.deviceId, 100)
    expect(a.store.getTrust(x.deviceId)?.lastSeq).toBe(2)
    const after = appendOwn(account, x, 2)
    relay.store.insertEntries([...before, ...after])
    connect(a, relay)
    await settle()
    expect(relay.store.getTrust(x.deviceId)?.lastSeq).toBe(2)
    expect(a.store.head(x.deviceId)).toBe(2)
    expect(a.logger.lines.some((l) => l.message === "refused entries of a revoked device made after its revocation")).toBe(true)
  })

  it("a device added or revoked without the trust key's signature (a locked device's hello) is ignored", async () => {
    const account = makeAccount(["a", "thief", "c"])
    const [a, thief, c] = account.devices
    const hidden = newDeviceIdentity("hidden")
    thief.store.putTrust(trustOf(hidden, 5_000))
    thief.store.revokeTrust(c.deviceId, 50)
    connect(a, thief)
    await settle()
    expect(a.store.getTrust(hidden.deviceId)).toBeUndefined()
    expect(a.store.getTrust(c.deviceId)?.revokedAt).toBeUndefined()
  })

  it("a local revocation published cuts the device off and reaches the others", async () => {
    const account = makeAccount(["a", "b", "x"])
    const [a, b, x] = account.devices
    connect(a, b)
    const [aToX] = connect(a, x)
    await settle()
    revokeSigned(account.accountId, a.store, x.deviceId, 300)
    a.replicator.publishTrust()
    await settle()
    expect(aToX.closedWith).toBe("revoked")
    expect(b.store.getTrust(x.deviceId)?.revokedAt).toBe(300)
  })

  it("a rename reaches connected peers, this device included; a name without a rename time changes nothing", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    connect(a, b)
    connect(a, c)
    await settle()
    a.store.putTrust(renameSigned(account.accountId, signedAdd(account.accountId, trustOf(c)), "kitchen pc", 100))
    a.store.putTrust({ ...signedAdd(account.accountId, trustOf(b)), name: "not a rename" })
    a.store.putTrust({ ...signedAdd(account.accountId, trustOf(a)), name: "unsigned rename", renamedAt: 100 })
    a.replicator.publishTrust()
    await settle()
    expect(b.store.getTrust(c.deviceId)?.name).toBe("kitchen pc")
    expect(c.store.getTrust(c.deviceId)?.name).toBe("kitchen pc")
    expect(b.store.getTrust(b.deviceId)?.name).toBe("b")
    expect(c.store.getTrust(b.deviceId)?.name).toBe("b")
    expect(b.store.getTrust(a.deviceId)?.name).toBe("a")
    expect(c.store.getTrust(a.deviceId)?.name).toBe("a")
  })

  it("a rename made while a device was away reaches it through a third one (relayed, and from a hello)", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    connect(a, b)
    await settle()
    a.store.putTrust(renameSigned(account.accountId, signedAdd(account.accountId, trustOf(a)), "study", 200))
    a.replicator.publishTrust()
    await settle()
    expect(b.store.getTrust(a.deviceId)?.name).toBe("study")
    connect(b, c)
    await settle()
    expect(c.store.getTrust(a.deviceId)).toMatchObject({ name: "study", renamedAt: 200 })
  })

  it("contact is recorded as lastSeenAt", async () => {
    const account = makeAccount(["a", "b"], { now: () => 1_234_567 })
    const [a, b] = account.devices
    connect(a, b)
    await settle()
    expect(a.store.getTrust(b.deviceId)?.lastSeenAt).toBe(1_234_567)
    expect(b.store.getTrust(a.deviceId)?.lastSeenAt).toBe(1_234_567)
  })
})
