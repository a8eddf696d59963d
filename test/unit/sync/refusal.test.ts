import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeMessage, encodeMessage, SYNC_PROTOCOL_VERSION, type SyncMessage } from "../../../src/sync/messages.js"
import { ProtocolVersionError } from "../../../src/sync/protocol-version-error.js"
import { linkPair, type MemoryLink } from "./memory-link.js"
import { appendOwn, connect, makeAccount, newDeviceIdentity, sealOwn, settle, type Account, type Device } from "./sync-fixtures.js"
import { NO_KEYSET } from "../../../src/store/keyset-rank.js"

/**
 * A trusted device `x` gone bad: its end of a link to `target` is driven by
 * hand. Returns that end (what it received is in `inbox`) and the target's end.
 */
function rawPeer(target: Device, x: Device): { evil: MemoryLink; inbox: SyncMessage[]; targetEnd: MemoryLink; say: (m: SyncMessage) => void } {
  const [targetEnd, evil] = linkPair(target.deviceId, x.deviceId)
  const inbox: SyncMessage[] = []
  evil.onMessage((bytes) => inbox.push(decodeMessage(bytes)))
  target.replicator.addLink(targetEnd)
  return { evil, inbox, targetEnd, say: (m) => evil.send(encodeMessage(m)) }
}

const HELLO: SyncMessage = { type: "hello", vector: {}, keyset: NO_KEYSET, trust: [] }

/** Sends `entries` from a raw peer and checks the target refused the whole batch with `code`, while its other session lives on. */
async function expectRefused(account: Account, makeBatch: (a: Device, c: Device, x: Device) => SyncMessage, code: string): Promise<void> {
  const [a, c, x] = account.devices
  connect(a, c)
  await settle()
  const before = a.store.versionVector()
  const disconnected: string[] = []
  a.replicator.on("peer.disconnected", ({ deviceId, reason }) => disconnected.push(`${deviceId === x.deviceId}:${reason}`))

  const peer = rawPeer(a, x)
  peer.say(HELLO)
  peer.say(makeBatch(a, c, x))
  await settle()

  expect(peer.evil.closedWith).toBe("protocol error")
  expect(peer.targetEnd.listenerErrors).toEqual([])
  expect(a.store.versionVector()).toEqual(before)
  expect(disconnected).toEqual(["true:protocol error"])
  expect(a.logger.lines.filter((l) => l.level === "warn").map((l) => l.fields.code)).toEqual([code])
  expect(a.replicator.sessions().map((s) => s.remoteDeviceId)).toEqual([c.deviceId])

  c.replicator.publishLocal(appendOwn(account, c, 2))
  await settle()
  expect(a.store.head(c.deviceId)).toBe(before[c.deviceId] === undefined ? 2 : before[c.deviceId] + 2)
}

describe("refusing a bad peer", () => {
  it("an entry with a bad signature closes the link and stores nothing of its batch", async () => {
    const account = makeAccount(["a", "c", "x"])
    await expectRefused(account, (_a, _c, x) => {
      const entries = sealOwn(account, x, 1, 3)
      entries[2] = { ...entries[2], signature: entries[2].signature.map((b, i) => (i === 0 ? b ^ 1 : b)) }
      return { type: "entries", entries }
    }, "BAD_SIGNATURE")
  })

  it("an entry relayed for another device but signed by the sender is refused", async () => {
    const account = makeAccount(["a", "c", "x"])
    await expectRefused(account, (_a, c, x) => {
      const forged = sealOwn(account, x, 1, 1)[0]
      return { type: "entries", entries: [...sealOwn(account, x, 1, 1), { ...forged, deviceId: c.deviceId }] }
    }, "BAD_SIGNATURE")
  })

  it("an entry of a device not in the trust list closes the link", async () => {
    const account = makeAccount(["a", "c", "x"])
    const stranger = newDeviceIdentity("stranger")
    await expectRefused(account, (_a, _c, x) => ({
      type: "entries", entries: [...sealOwn(account, x, 1, 2), ...sealOwn(account, stranger, 1, 1)],
    }), "BAD_SIGNATURE")
  })

  it("a gap in seq closes the link and stores nothing of its batch", async () => {
    const account = makeAccount(["a", "c", "x"])
    await expectRefused(account, (_a, _c, x) => {
      const [one, , three] = sealOwn(account, x, 1, 3)
      return { type: "entries", entries: [one, three] }
    }, "SEQUENCE_GAP")
  })

  it("an entry conflicting with one held closes the link and keeps the held one", async () => {
    const account = makeAccount(["a", "c", "x"])
    const [a, , x] = account.devices
    const held = sealOwn(account, x, 1, 1)
    a.store.insertEntries(held)
    await expectRefused(account, () => ({ type: "entries", entries: [...sealOwn(account, x, 1, 1), ...sealOwn(account, x, 2, 1)] }), "CORRUPT_DATA")
    expect(a.store.entriesOf(x.deviceId, 0)[0].signature).toEqual(held[0].signature)
  })

  it("a peer speaking an older sync protocol is closed as such; a newer one as a protocol error; both say who must update", async () => {
    for (const [version, closed, says] of [[SYNC_PROTOCOL_VERSION - 1, "older protocol version", "on that device"], [SYNC_PROTOCOL_VERSION + 1, "protocol error", "on this device"]] as const) {
      const [a, x] = makeAccount(["a", "x"]).devices
      const peer = rawPeer(a, x)
      const hello = encodeMessage(HELLO)
      hello[1] = version
      peer.evil.send(hello)
      await settle()
      expect(peer.evil.closedWith).toBe(closed)
      const warned = a.logger.lines.filter((l) => l.level === "warn")
      expect(warned.map((l) => l.fields.code)).toEqual(["PROTOCOL_ERROR"])
      expect(JSON.stringify(warned[0].fields)).toContain(says)
    }
  })

  it("a message before hello, a second hello and an unexpected ack are protocol errors", async () => {
    const cases: SyncMessage[][] = [
      [{ type: "ack", count: 0 }],
      [HELLO, HELLO],
      [HELLO, { type: "ack", count: 0 }, { type: "ack", count: 0 }],
    ]
    for (const messages of cases) {
      const [a, x] = makeAccount(["a", "x"]).devices
      const peer = rawPeer(a, x)
      for (const m of messages) peer.say(m)
      await settle()
      expect(peer.evil.closedWith).toBe("protocol error")
      expect(a.logger.lines.filter((l) => l.level === "warn").map((l) => l.fields.code)).toEqual(["PROTOCOL_ERROR"])
    }
  })

  it("random bytes sent over a session close the link and throw nothing", async () => {
    const account = makeAccount(["a", "c", "x"])
    const [a, c, x] = account.devices
    connect(a, c)
    appendOwn(account, a, 3)
    await settle()
    const before = a.store.countEntries()
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 300 }), async (afterHello, bytes) => {
      const peer = rawPeer(a, x)
      if (afterHello) peer.say(HELLO)
      peer.evil.send(bytes)
      await settle()
      let malformed = false
      // Bytes that happen to spell a hello of an older sync protocol are refused as such.
      let refusal = "protocol error"
      try {
        decodeMessage(bytes)
      } catch (error) {
        malformed = true
        if (error instanceof ProtocolVersionError && error.older) refusal = "older protocol version"
      }
      expect(peer.targetEnd.listenerErrors).toEqual([])
      if (malformed || !afterHello) expect(peer.evil.closedWith).toBe(refusal)
      else expect([undefined, "protocol error"]).toContain(peer.evil.closedWith)
      expect(a.store.countEntries()).toBe(before)
      peer.evil.close("normal closure")
      await settle()
    }), { numRuns: 300 })

    c.replicator.publishLocal(appendOwn(account, c, 1))
    await settle()
    expect(a.store.head(c.deviceId)).toBe(1)
    expect(a.logger.lines.some((l) => l.level === "error")).toBe(false)
  })
})
