import { describe, expect, it } from "vitest"
import { decodeMessage, encodeMessage, type SyncMessage } from "../../../src/sync/messages.js"
import { MAX_WAITING_MESSAGES } from "../../../src/sync/inbound-queue.js"
import { EntryIntake } from "../../../src/sync/entry-intake.js"
import { NO_KEYSET } from "../../../src/store/keyset-rank.js"
import { signRevoke } from "../../../src/store/trust-proof.js"
import { linkPair, type MemoryLink } from "./memory-link.js"
import { makeAccount, sealOwn, settle, TRUST_KEY, type Device } from "./sync-fixtures.js"

const SLICE = 10
const HELLO: SyncMessage = { type: "hello", vector: {}, keyset: NO_KEYSET, trust: [] }

/** Device `from`'s end of a link to `target`, driven by hand; `acks` lists the counts `target` acknowledged. */
function rawPeer(target: Device, from: Device): { evil: MemoryLink; acks: number[]; say: (m: SyncMessage) => void } {
  const [targetEnd, evil] = linkPair(target.deviceId, from.deviceId)
  const acks: number[] = []
  evil.onMessage((bytes) => {
    const message = decodeMessage(bytes)
    if (message.type === "ack") acks.push(message.count)
  })
  target.replicator.addLink(targetEnd)
  return { evil, acks, say: (m) => evil.send(encodeMessage(m)) }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe("a large received batch is checked a slice per turn", () => {
  it("the event loop runs between slices, and nothing is stored before every signature is checked", async () => {
    const account = makeAccount(["a", "b"], { verifySliceEntries: SLICE })
    const [a, b] = account.devices
    const peer = rawPeer(b, a)
    peer.say(HELLO)
    peer.say({ type: "entries", entries: sealOwn(account, a, 1, 100) })
    await turn()
    // One turn later the batch is still being checked: the loop was free, and none of it is stored yet.
    expect(b.replicator.receiving).toBe(true)
    expect(b.store.head(a.deviceId)).toBe(0)
    await settle()
    expect(b.replicator.receiving).toBe(false)
    expect(b.store.head(a.deviceId)).toBe(100)
    expect(peer.acks).toEqual([100])
  })

  it("a bad signature in the last slice refuses the whole batch: link closed, nothing stored", async () => {
    const account = makeAccount(["a", "b"], { verifySliceEntries: SLICE })
    const [a, b] = account.devices
    const entries = sealOwn(account, a, 1, 100)
    entries[97] = { ...entries[97], signature: entries[97].signature.map((byte, i) => (i === 0 ? byte ^ 1 : byte)) }
    const peer = rawPeer(b, a)
    peer.say(HELLO)
    peer.say({ type: "entries", entries })
    await settle()
    expect(peer.evil.closedWith).toBe("protocol error")
    expect(b.store.head(a.deviceId)).toBe(0)
    expect(peer.acks).toEqual([])
    expect(b.logger.lines.filter((l) => l.level === "warn").map((l) => l.fields.code)).toEqual(["BAD_SIGNATURE"])
  })

  it("messages after a batch being checked wait for it: stored and acknowledged in the order sent", async () => {
    const account = makeAccount(["a", "b"], { verifySliceEntries: SLICE })
    const [a, b] = account.devices
    const peer = rawPeer(b, a)
    peer.say(HELLO)
    peer.say({ type: "entries", entries: sealOwn(account, a, 1, 100) })
    peer.say({ type: "entries", entries: sealOwn(account, a, 101, 3) })
    await turn()
    expect(b.store.head(a.deviceId)).toBe(0)
    await settle()
    expect(peer.acks).toEqual([100, 3])
    expect(b.store.head(a.deviceId)).toBe(103)
  })

  it("a revocation that arrives while a batch is checked counts: entries past the cutoff are left out", async () => {
    const account = makeAccount(["a", "b", "c"], { verifySliceEntries: SLICE })
    const [a, b, c] = account.devices
    const peer = rawPeer(b, a)
    peer.say(HELLO)
    peer.say({ type: "entries", entries: sealOwn(account, c, 1, 100) })
    await turn()
    expect(b.replicator.receiving).toBe(true)
    const entry = b.store.getTrust(c.deviceId)!
    b.store.putTrust({ ...entry, revokedAt: 5_000, lastSeq: 40, revokeSig: signRevoke(TRUST_KEY.secret, account.accountId, c.deviceId, 5_000, 40) })
    await settle()
    expect(b.store.head(c.deviceId)).toBe(40)
    expect(peer.acks).toEqual([100])
  })

  it("a peer that floods messages while a batch is checked is refused", async () => {
    const account = makeAccount(["a", "b"], { verifySliceEntries: SLICE })
    const [a, b] = account.devices
    const peer = rawPeer(b, a)
    peer.say(HELLO)
    peer.say({ type: "entries", entries: sealOwn(account, a, 1, 100) })
    const one = sealOwn(account, a, 101, 1)
    for (let i = 0; i <= MAX_WAITING_MESSAGES; i++) peer.say({ type: "entries", entries: one })
    await settle()
    expect(peer.evil.closedWith).toBe("protocol error")
    expect(b.store.head(a.deviceId)).toBe(0)
  })

  it("a large batch waits for an unlock under way before each slice; a live batch never waits", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    let release = () => {}
    let unlocking: Promise<void> | undefined = new Promise<void>((resolve) => (release = () => {
      unlocking = undefined
      resolve()
    }))
    const intake = new EntryIntake({
      accountId: account.accountId, lookup: (deviceId) => b.store.getTrust(deviceId), busyUntil: () => unlocking, progress: () => {}, caughtUp: () => {},
    }, SLICE)
    expect(intake.check({ type: "entries", entries: sealOwn(account, a, 1, 3) })).toHaveLength(3)
    let checked: number | undefined
    void (intake.check({ type: "entries", entries: sealOwn(account, a, 4, 100) }) as Promise<unknown[]>).then((entries) => (checked = entries.length))
    for (let i = 0; i < 20; i++) await turn()
    expect(checked).toBeUndefined()
    release()
    for (let i = 0; i < 20 && checked === undefined; i++) await turn()
    expect(checked).toBe(100)
  })
})
