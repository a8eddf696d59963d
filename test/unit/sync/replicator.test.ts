import { describe, expect, it } from "vitest"
import { decodeMessage } from "../../../src/sync/messages.js"
import { Replicator, type ReplicatorEvents } from "../../../src/sync/replicator.js"
import type { EntryApplier } from "../../../src/sync/ports.js"
import { TrustVerifier } from "../../../src/store/index.js"
import { linkPair } from "./memory-link.js"
import { appendOwn, connect, dump, makeAccount, settle, TRUST_KEY, type Account, type Device } from "./sync-fixtures.js"

/** Gives `device` a replicator that merges through `applier` (the vault's changes in the daemon). */
function withApplier(account: Account, device: Device, applier: EntryApplier): void {
  const keysets = { accountKey: () => device.accountKey, accept: () => false }
  const trustChecks = new TrustVerifier(account.accountId, () => TRUST_KEY.publicKey)
  device.replicator = new Replicator({ store: device.store, logger: device.logger, accountId: account.accountId, deviceId: device.deviceId, keysets, trustChecks, applier })
}

describe("Replicator", () => {
  it("two devices converge after hello: same version vector, same entries", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    appendOwn(account, a, 10)
    appendOwn(account, b, 7)
    // c's entries reached a and b before, partly: a holds 1–4, b holds 1–2.
    const fromC = appendOwn(account, c, 4)
    a.store.insertEntries(fromC)
    b.store.insertEntries(fromC.slice(0, 2))
    const received: Array<ReplicatorEvents["entries"]> = []
    b.replicator.on("entries", (event) => received.push(event))

    connect(a, b)
    await settle()

    expect(b.store.versionVector()).toEqual(a.store.versionVector())
    expect(dump(b.store)).toEqual(dump(a.store))
    expect(a.store.countEntries()).toBe(21)
    expect(received.flatMap((e) => e.entries).length).toBe(12)
    expect(received.every((e) => e.from === a.deviceId)).toBe(true)
    expect(a.replicator.sessions()).toEqual([expect.objectContaining({
      remoteDeviceId: b.deviceId, state: "idle", entriesSent: 12, entriesReceived: 7,
    })])
    expect(b.replicator.sessions()[0]).toMatchObject({ remoteDeviceId: a.deviceId, state: "idle", entriesSent: 7, entriesReceived: 12 })
  })

  it("new local entries are pushed live to a connected peer", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    connect(a, b)
    await settle()
    const seen: string[] = []
    b.replicator.on("entries", ({ entries, from }) => seen.push(...entries.map((e) => `${from === a.deviceId}:${e.seq}`)))

    a.replicator.publishLocal(appendOwn(account, a, 2))
    await settle()
    a.replicator.publishLocal(appendOwn(account, a, 1))
    await settle()

    expect(seen).toEqual(["true:1", "true:2", "true:3"])
    expect(b.store.head(a.deviceId)).toBe(3)
  })

  it("pushing entries the peer already holds sends nothing", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const old = appendOwn(account, a, 3)
    const [aToB] = connect(a, b)
    await settle()
    const before = aToB.sent.length
    a.replicator.publishLocal(old)
    await settle()
    expect(aToB.sent.length).toBe(before)
  })

  it("in a line A–B–C, C gets A's entries through B and A gets C's", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    appendOwn(account, a, 5)
    appendOwn(account, c, 3)
    connect(a, b)
    connect(b, c)
    await settle()
    expect(c.store.head(a.deviceId)).toBe(5)
    expect(a.store.head(c.deviceId)).toBe(3)

    a.replicator.publishLocal(appendOwn(account, a, 2))
    c.replicator.publishLocal(appendOwn(account, c, 1))
    await settle()
    expect(dump(a.store)).toEqual(dump(c.store))
    expect(dump(b.store)).toEqual(dump(c.store))
    expect(c.store.head(a.deviceId)).toBe(7)
  })

  it("a second link from the same device replaces the older one", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const disconnected: string[] = []
    a.replicator.on("peer.disconnected", ({ reason }) => disconnected.push(reason))
    const [firstAToB] = connect(a, b)
    await settle()
    const [secondAToB] = connect(a, b)
    await settle()

    expect(firstAToB.closedWith).toBe("normal closure")
    expect(secondAToB.closedWith).toBeUndefined()
    expect(a.replicator.sessions()).toHaveLength(1)
    expect(disconnected).toEqual([])
    a.replicator.publishLocal(appendOwn(account, a, 1))
    await settle()
    expect(b.store.head(a.deviceId)).toBe(1)
  })

  it("reports connections and disconnections", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const events: string[] = []
    a.replicator.on("peer.connected", ({ deviceId, address }) => events.push(`up ${deviceId === b.deviceId} ${address}`))
    a.replicator.on("peer.disconnected", ({ deviceId, reason }) => events.push(`down ${deviceId === b.deviceId} ${reason}`))
    const [aToB] = connect(a, b)
    await settle()
    b.replicator.removeLink(a.deviceId)
    await settle()
    expect(events).toEqual([`up true ${aToB.address}`, "down true normal closure"])
    expect(a.replicator.sessions()).toEqual([])
  })

  it("control notices reach one device or all", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    connect(a, b)
    connect(a, c)
    await settle()
    const got: string[] = []
    for (const d of [b, c]) d.replicator.on("control", ({ deviceId, kind, body }) => got.push(`${d.name}<-${deviceId === a.deviceId ? "a" : "?"}:${kind}:${body.join(",")}`))

    expect(a.replicator.sendControl("all", "rekey", new Uint8Array([1, 2]))).toBe(2)
    expect(a.replicator.sendControl(c.deviceId, "reset", new Uint8Array())).toBe(1)
    expect(a.replicator.sendControl("f".repeat(32), "reset", new Uint8Array())).toBe(0)
    await settle()
    expect(got.sort()).toEqual(["b<-a:rekey:1,2", "c<-a:rekey:1,2", "c<-a:reset:"])
  })

  it("a listener that throws is logged and does not disturb the sync", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    b.replicator.on("entries", () => {
      throw new Error("merge failed")
    })
    const [aToB, bToA] = connect(a, b)
    a.replicator.publishLocal(appendOwn(account, a, 3))
    await settle()
    expect(b.store.head(a.deviceId)).toBe(3)
    expect(aToB.closedWith).toBeUndefined()
    expect(bToA.listenerErrors).toEqual([])
    expect(b.logger.lines.some((l) => l.level === "error" && l.fields.event === "entries")).toBe(true)
  })

  it("hands stored entries to the applier port before its event and the relay; an applier that throws is logged, the link stays", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    const order: string[] = []
    let fail = false
    withApplier(account, b, {
      applyRemote: (entries) => {
        order.push(`apply:${entries.map((e) => e.seq).join(",")}`)
        if (fail) throw new Error("merge failed")
      },
      applySnapshot: () => order.push("snapshot"),
    })
    b.replicator.on("entries", ({ entries }) => order.push(`event:${entries.length}`))
    const [aToB, bToA] = connect(a, b)
    connect(b, c)
    await settle()
    a.replicator.publishLocal(appendOwn(account, a, 2))
    await settle()
    expect(order).toEqual(["apply:1,2", "event:2"])
    expect(c.store.head(a.deviceId)).toBe(2)
    fail = true
    a.replicator.publishLocal(appendOwn(account, a, 1))
    await settle()
    expect(order.slice(2)).toEqual(["apply:3", "event:1"])
    expect(b.store.head(a.deviceId)).toBe(3)
    expect(c.store.head(a.deviceId)).toBe(3)
    expect(aToB.closedWith).toBeUndefined()
    expect(bToA.listenerErrors).toEqual([])
    expect(b.logger.lines.some((l) => l.level === "error" && l.fields.what === "entries" && l.fields.deviceId === a.deviceId)).toBe(true)
  })

  it("stop closes every link and refuses new ones", async () => {
    const account = makeAccount(["a", "b", "c"])
    const [a, b, c] = account.devices
    const [aToB] = connect(a, b)
    await settle()
    a.replicator.stop()
    a.replicator.stop()
    expect(aToB.closedWith).toBe("shutting down")
    const [aToC] = linkPair(a.deviceId, c.deviceId)
    a.replicator.addLink(aToC)
    expect(aToC.closedWith).toBe("shutting down")
    expect(a.replicator.sessions()).toEqual([])
  })
})

describe("Replicator and revoked devices", () => {
  it("a link from a revoked device is closed at once", async () => {
    const [a, x] = makeAccount(["a", "x"]).devices
    a.store.revokeTrust(x.deviceId, 10)
    const [aToX, xToA] = linkPair(a.deviceId, x.deviceId)
    a.replicator.addLink(aToX)
    x.replicator.addLink(xToA)
    await settle()
    expect(xToA.closedWith).toBe("revoked")
    expect(a.replicator.sessions()).toEqual([])
  })
})

describe("PeerSession ordering", () => {
  it("hello goes first even when the peer's hello was already waiting on the link", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 2)
    const [aToB, bToA] = linkPair(a.deviceId, b.deviceId)
    b.replicator.addLink(bToA)
    await settle()
    // b's hello now sits in a's inbox: a link may hand it over as soon as a listens.
    a.replicator.addLink(aToB)
    await settle()
    expect(decodeMessage(aToB.sent[0]).type).toBe("hello")
    expect(aToB.closedWith).toBeUndefined()
    expect(b.store.head(a.deviceId)).toBe(2)
  })
})

describe("Replicator.sendControl", () => {
  it("refuses a bad kind to the caller without touching any link", async () => {
    const [a, b] = makeAccount(["a", "b"]).devices
    const [aToB] = connect(a, b)
    await settle()
    expect(() => a.replicator.sendControl("all", "", new Uint8Array())).toThrow(TypeError)
    expect(aToB.closedWith).toBeUndefined()
  })
})
