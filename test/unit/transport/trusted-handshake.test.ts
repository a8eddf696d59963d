import { describe, expect, it } from "vitest"
import { randomBytes, utf8 } from "../../../src/crypto/bytes.js"
import { x25519PublicKey } from "../../../src/crypto/keys.js"
import { LanvaultError } from "../../../src/errors.js"
import { CLOSE_REASONS } from "../../../src/transport/close-reasons.js"
import { runHandshake, type AcceptPeer } from "../../../src/transport/handshake-session.js"
import { MemoryFrameSocket } from "../../../src/transport/memory-socket.js"
import { TapSocket } from "./helpers.js"

const accept: AcceptPeer = () => "accept"
const RESPONDER_HELLO = utf8(JSON.stringify({ deviceId: "b".repeat(32), accountTag: "c".repeat(32), generation: 1 }))

/** Waits until `ready()` holds (a loaded machine may take a while), or fails after 5 s. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!ready()) {
    if (Date.now() > deadline) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function rejection(promise: Promise<unknown>): Promise<LanvaultError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(LanvaultError)
  return error as LanvaultError
}

/** A responder with its own static key behind a tap, and an initiator that aims at `aimAt` (default: that key). */
function pair(options: { aimAt?: Uint8Array; responderAccept?: AcceptPeer; initiatorAccept?: AcceptPeer } = {}) {
  const [left, right] = MemoryFrameSocket.pair()
  const tap = new TapSocket(right)
  const responderSecret = randomBytes(32)
  const initiatorSecret = randomBytes(32)
  const seen: { byResponder?: Uint8Array } = {}
  const r = runHandshake(tap, {
    role: "responder", mode: "trusted", staticSecret: responderSecret, payload: RESPONDER_HELLO, timeoutMs: 2_000,
    accept: (remoteStatic, payload) => {
      seen.byResponder = remoteStatic
      return (options.responderAccept ?? accept)(remoteStatic, payload)
    },
  })
  const i = runHandshake(left, {
    role: "initiator", mode: "trusted", staticSecret: initiatorSecret, payload: utf8("initiator hello"),
    remoteStatic: options.aimAt ?? x25519PublicKey(responderSecret), accept: options.initiatorAccept ?? accept,
  })
  r.catch(() => undefined)
  i.catch(() => undefined)
  return { i, r, tap, left, responderPublic: x25519PublicKey(responderSecret), initiatorPublic: x25519PublicKey(initiatorSecret), seen }
}

describe("the trusted handshake of protocol 2 (Noise IK, issue 11 item 10)", () => {
  it("links two devices that know each other's keys, with both payloads and the same hash", async () => {
    const { i, r, responderPublic, initiatorPublic } = pair()
    const [ri, rr] = await Promise.all([i, r])
    expect(ri.remoteStatic).toEqual(responderPublic)
    expect(rr.remoteStatic).toEqual(initiatorPublic)
    expect(ri.remotePayload).toEqual(RESPONDER_HELLO)
    expect(rr.remotePayload).toEqual(utf8("initiator hello"))
    expect(ri.handshakeHash).toEqual(rr.handshakeHash)
    ri.channel.send(utf8("over the link"))
    expect(await new Promise((resolve) => rr.channel.onMessage(resolve))).toEqual(utf8("over the link"))
  })

  it("answers an initiator that aims at another key with a decoy: it learns nothing, the responder is never asked", async () => {
    const { i, r, tap, seen } = pair({ aimAt: x25519PublicKey(randomBytes(32)) })
    const error = await rejection(i)
    expect(error).toMatchObject({ code: "PEER_REFUSED", data: { reason: "unknown device", notThisDevice: true } })
    expect(seen.byResponder).toBeUndefined()
    // The decoy has the shape of a real message 2: 32-byte key, verdict byte, hello, tag.
    expect(tap.sent).toHaveLength(1)
    expect(tap.sent[0].length).toBe(32 + 1 + RESPONDER_HELLO.length + 16)
    expect((await rejection(r)).data?.reason).toBe("unknown device")
  })

  it("tells a refused initiator why, readable only by it; the responder's hello never leaves", async () => {
    const { i, r, tap } = pair({ responderAccept: () => ({ refuse: "revoked" }) })
    expect(await rejection(i)).toMatchObject({ code: "PEER_REFUSED", data: { reason: "revoked" } })
    expect((await rejection(r)).data?.reason).toBe("revoked")
    const wire = Buffer.concat(tap.sent.map((b) => Buffer.from(b)))
    expect(wire.includes(Buffer.from(RESPONDER_HELLO))).toBe(false)
    expect(wire.includes(Buffer.from("revoked"))).toBe(false)
  })

  it("closes a stranger's garbage, a replayed message 1 and a forged ACCEPT all alike: 'unknown device'", async () => {
    // Garbage as message 1: a decoy, then 'unknown device' on the next frame.
    const [left, right] = MemoryFrameSocket.pair()
    const r = runHandshake(right, { role: "responder", mode: "trusted", staticSecret: randomBytes(32), payload: RESPONDER_HELLO, accept })
    r.catch(() => undefined)
    const codes: number[] = []
    left.onClose((code) => codes.push(code))
    const frames: Uint8Array[] = []
    left.onMessage((bytes) => frames.push(bytes))
    left.send(randomBytes(96))
    await until(() => frames.length > 0)
    expect(frames).toHaveLength(1)
    left.send(randomBytes(40))
    expect((await rejection(r)).data?.reason).toBe("unknown device")
    await until(() => codes.length > 0)
    expect(codes).toEqual([CLOSE_REASONS["unknown device"]])

    // A real message 1 replayed to its responder: a message 2 the replayer cannot read, then the same close.
    const responderSecret = randomBytes(32)
    const [l1, r1] = MemoryFrameSocket.pair()
    const initiatorTap = new TapSocket(l1)
    await Promise.all([
      runHandshake(initiatorTap, { role: "initiator", mode: "trusted", staticSecret: randomBytes(32), remoteStatic: x25519PublicKey(responderSecret), accept }),
      runHandshake(r1, { role: "responder", mode: "trusted", staticSecret: responderSecret, payload: RESPONDER_HELLO, accept }),
    ])
    const [l2, r2] = MemoryFrameSocket.pair()
    const replayTarget = runHandshake(r2, { role: "responder", mode: "trusted", staticSecret: responderSecret, payload: RESPONDER_HELLO, accept })
    replayTarget.catch(() => undefined)
    const replayCodes: number[] = []
    const answers: Uint8Array[] = []
    l2.onClose((code) => replayCodes.push(code))
    l2.onMessage((bytes) => {
      answers.push(bytes)
      l2.send(randomBytes(17))
    })
    l2.send(initiatorTap.sent[0])
    expect((await rejection(replayTarget)).data?.reason).toBe("unknown device")
    await until(() => replayCodes.length > 0)
    expect(answers).toHaveLength(1)
    expect(answers[0].length).toBe(frames[0].length)
    expect(replayCodes).toEqual([CLOSE_REASONS["unknown device"]])
  })

  it("needs the responder's key on the initiator side", async () => {
    const [left] = MemoryFrameSocket.pair()
    const error = await rejection(runHandshake(left, { role: "initiator", mode: "trusted", staticSecret: randomBytes(32), accept }))
    expect(error.code).toBe("HANDSHAKE_FAILED")
  })
})
