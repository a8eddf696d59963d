import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { randomBytes, utf8 } from "../../../src/crypto/bytes.js"
import { x25519PublicKey } from "../../../src/crypto/keys.js"
import { LanvaultError } from "../../../src/errors.js"
import { CLOSE_REASONS } from "../../../src/transport/close-reasons.js"
import type { FrameSocket } from "../../../src/transport/frame-socket.js"
import {
  confirmationCode,
  runHandshake,
  type AcceptPeer,
  type HandshakeMode,
  type HandshakeOptions,
} from "../../../src/transport/handshake-session.js"
import { MemoryFrameSocket } from "../../../src/transport/memory-socket.js"
import { messages } from "./helpers.js"

const ACCOUNT_KEY = randomBytes(16)
const accept: AcceptPeer = () => "accept"

interface Side {
  secret: Uint8Array
  options: Partial<HandshakeOptions>
}

function side(options: Partial<HandshakeOptions> = {}): Side {
  return { secret: randomBytes(32), options }
}

function run(mode: HandshakeMode, initiator: Side, responder: Side) {
  const [left, right] = MemoryFrameSocket.pair()
  const common = { mode, accountKey: mode === "pair" ? ACCOUNT_KEY : undefined, accept }
  const i = runHandshake(left, { ...common, role: "initiator", staticSecret: initiator.secret, payload: utf8("from initiator"), ...initiator.options })
  const r = runHandshake(right, { ...common, role: "responder", staticSecret: responder.secret, payload: utf8("from responder"), ...responder.options })
  return { i, r, left, right }
}

async function rejection(promise: Promise<unknown>): Promise<LanvaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(LanvaultError)
  return error as LanvaultError
}

function closeCode(socket: MemoryFrameSocket): Promise<number> {
  return new Promise((resolve) => socket.onClose((code) => resolve(code)))
}

describe.each(["trusted-xx", "pair"] as const)("runHandshake (%s) in memory", (mode) => {
  it("gives both sides a channel, the other's static key and payload, and the same hash", async () => {
    const [a, b] = [side(), side()]
    const { i, r } = run(mode, a, b)
    const [ri, rr] = await Promise.all([i, r])
    expect(ri.remoteStatic).toEqual(x25519PublicKey(b.secret))
    expect(rr.remoteStatic).toEqual(x25519PublicKey(a.secret))
    expect(ri.remotePayload).toEqual(utf8("from responder"))
    expect(rr.remotePayload).toEqual(utf8("from initiator"))
    expect(ri.handshakeHash).toEqual(rr.handshakeHash)
    const atResponder = messages(rr.channel, 1)
    const atInitiator = messages(ri.channel, 1)
    ri.channel.send(utf8("ping"))
    rr.channel.send(utf8("pong"))
    expect(await atResponder).toEqual([utf8("ping")])
    expect(await atInitiator).toEqual([utf8("pong")])
  })

  it("passes the peer's static key and payload to the accept callback", async () => {
    const seen: Array<[Uint8Array, Uint8Array]> = []
    const record: AcceptPeer = async (key, payload) => {
      seen.push([key, payload])
      return "accept" as const
    }
    const [a, b] = [side({ accept: record }), side({ accept: record })]
    await Promise.all(Object.values(run(mode, a, b)).slice(0, 2))
    expect(seen).toContainEqual([x25519PublicKey(b.secret), utf8("from responder")])
    expect(seen).toContainEqual([x25519PublicKey(a.secret), utf8("from initiator")])
  })

  it("lets the responder refuse the initiator with a reason the initiator sees", async () => {
    const { i, r } = run(mode, side(), side({ accept: () => ({ refuse: "unknown device" }) }))
    const [ei, er] = await Promise.all([rejection(i), rejection(r)])
    expect(ei).toMatchObject({ code: "PEER_REFUSED", data: { reason: "unknown device", code: CLOSE_REASONS["unknown device"] } })
    expect(er).toMatchObject({ code: "NOT_ALLOWED", data: { reason: "unknown device" } })
  })

  it("lets the initiator refuse the responder with a reason the responder sees", async () => {
    const { i, r } = run(mode, side({ accept: async () => ({ refuse: "revoked" }) }), side())
    const [ei, er] = await Promise.all([rejection(i), rejection(r)])
    expect(ei).toMatchObject({ code: "NOT_ALLOWED", data: { reason: "revoked" } })
    expect(er).toMatchObject({ code: "PEER_REFUSED", data: { reason: "revoked" } })
  })

  it("times out a peer that never answers, with 'handshake timeout' on the wire", async () => {
    const [left, right] = MemoryFrameSocket.pair()
    const code = closeCode(left)
    const r = runHandshake(right, { mode, role: "responder", staticSecret: randomBytes(32), accountKey: ACCOUNT_KEY, accept, timeoutMs: 50 })
    expect(await rejection(r)).toMatchObject({ code: "TIMEOUT", data: { reason: "handshake timeout" } })
    expect(await code).toBe(CLOSE_REASONS["handshake timeout"])
  })

  it("times out while the accept callback hangs", async () => {
    const { i, r } = run(mode, side(), side({ accept: () => new Promise(() => undefined), timeoutMs: 50 }))
    expect(await rejection(r)).toMatchObject({ code: "TIMEOUT" })
    expect(await rejection(i)).toMatchObject({ code: "PEER_REFUSED", data: { reason: "handshake timeout" } })
  })

  it("closes with 'internal error' when the accept callback throws", async () => {
    const { i, r } = run(mode, side(), side({ accept: () => Promise.reject(new Error("boom")) }))
    expect(await rejection(r)).toMatchObject({ code: "HANDSHAKE_FAILED", data: { reason: "internal error" } })
    expect(await rejection(i)).toMatchObject({ code: "PEER_REFUSED", data: { reason: "internal error" } })
  })

  it("closes with 'protocol error' when garbage arrives instead of message 1", async () => {
    for (const garbage of [randomBytes(5), randomBytes(100), new Uint8Array(0)]) {
      const [left, right] = MemoryFrameSocket.pair()
      const code = closeCode(left)
      const r = runHandshake(right, { mode, role: "responder", staticSecret: randomBytes(32), accountKey: ACCOUNT_KEY, accept })
      left.send(garbage)
      expect(await rejection(r)).toMatchObject({ code: "HANDSHAKE_FAILED", data: { reason: "protocol error" } })
      expect(await code).toBe(CLOSE_REASONS["protocol error"])
    }
  })

  it("fails the initiator when the link drops mid-handshake", async () => {
    const [left, right] = MemoryFrameSocket.pair()
    const i = runHandshake(left, { mode, role: "initiator", staticSecret: randomBytes(32), accountKey: ACCOUNT_KEY, accept })
    right.destroy()
    expect(await rejection(i)).toMatchObject({ code: "HANDSHAKE_FAILED", data: { code: 1006 } })
  })

  it("only ever rejects with a LanvaultError, whatever bytes the peer sends", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 120 }), { minLength: 1, maxLength: 4 }), fc.boolean(), async (frames, asInitiator) => {
        const [left, right] = MemoryFrameSocket.pair()
        const role = asInitiator ? "initiator" : "responder"
        const result = runHandshake(right, { mode, role, staticSecret: randomBytes(32), accountKey: ACCOUNT_KEY, accept, timeoutMs: 200 })
        for (const frame of frames) left.send(frame)
        left.close(4006, "protocol error")
        const error = await result.then(() => undefined, (e: unknown) => e)
        return error instanceof LanvaultError
      }),
      { numRuns: 60 },
    )
  })
})

describe("pairing", () => {
  it("shows the same 6-digit confirmation code on both sides", async () => {
    const { i, r } = run("pair", side(), side())
    const [ri, rr] = await Promise.all([i, r])
    expect(ri.confirmationCode).toMatch(/^\d{6}$/)
    expect(ri.confirmationCode).toBe(rr.confirmationCode)
    expect(ri.confirmationCode).toBe(confirmationCode(ri.handshakeHash))
  })

  it("refuses a wrong account key: 'wrong account key' on both sides", async () => {
    const { i, r } = run("pair", side({ accountKey: randomBytes(16) }), side())
    const [ei, er] = await Promise.all([rejection(i), rejection(r)])
    expect(er).toMatchObject({ code: "HANDSHAKE_FAILED", data: { reason: "wrong account key" } })
    expect(ei).toMatchObject({ code: "PEER_REFUSED", data: { reason: "wrong account key" } })
  })

  it("needs an account key", async () => {
    const [left] = MemoryFrameSocket.pair()
    const i = runHandshake(left, { mode: "pair", role: "initiator", staticSecret: randomBytes(32), accept })
    expect(await rejection(i)).toMatchObject({ code: "HANDSHAKE_FAILED" })
  })

  it("does not complete between a pairing and a trusted peer", async () => {
    const [left, right] = MemoryFrameSocket.pair()
    const i = runHandshake(left, { mode: "pair", role: "initiator", staticSecret: randomBytes(32), accountKey: ACCOUNT_KEY, accept })
    const r = runHandshake(right, { mode: "trusted-xx", role: "responder", staticSecret: randomBytes(32), accept })
    expect(await rejection(r)).toMatchObject({ data: { reason: "protocol error" } })
    expect(await rejection(i)).toMatchObject({ code: "PEER_REFUSED", data: { reason: "protocol error" } })
  })

  it("derives codes that differ between handshakes", () => {
    const codes = new Set(Array.from({ length: 50 }, () => confirmationCode(randomBytes(32))))
    expect(codes.size).toBeGreaterThan(45)
    expect(confirmationCode(new Uint8Array(32))).toMatch(/^\d{6}$/)
  })
})

describe("runHandshake over a socket that misbehaves", () => {
  it("closes with 'protocol error' when the responder sends before message 3 is answered", async () => {
    const [left, right] = MemoryFrameSocket.pair()
    let release: () => void = () => undefined
    const slow: AcceptPeer = () => new Promise((resolve) => (release = () => resolve("accept")))
    const i = runHandshake(left, { mode: "trusted-xx", role: "initiator", staticSecret: randomBytes(32), accept: slow })
    const tapped: FrameSocket = {
      send: (bytes) => {
        right.send(bytes)
        right.send(randomBytes(40))
      },
      close: (code, reason) => right.close(code, reason),
      onMessage: (fn) => right.onMessage(fn),
      onClose: (fn) => right.onClose(fn),
    }
    const r = runHandshake(tapped, { mode: "trusted-xx", role: "responder", staticSecret: randomBytes(32), accept })
    expect(await rejection(i)).toMatchObject({ data: { reason: "protocol error" } })
    release()
    expect(await rejection(r)).toMatchObject({ code: "PEER_REFUSED", data: { reason: "protocol error" } })
  })
})

describe("runHandshake verdicts", () => {
  it("treats a verdict that is not a known reason as an internal error", async () => {
    const bogus = (() => ({ refuse: "because" })) as unknown as AcceptPeer
    const { i, r } = run("trusted-xx", side(), side({ accept: bogus }))
    expect(await rejection(r)).toMatchObject({ code: "HANDSHAKE_FAILED", data: { reason: "internal error" } })
    expect(await rejection(i)).toMatchObject({ code: "PEER_REFUSED", data: { reason: "internal error" } })
  })

  it("fails the initiator with 'protocol error' when the ACCEPT frame is forged", async () => {
    const [left, right] = MemoryFrameSocket.pair()
    const i = runHandshake(left, { mode: "trusted-xx", role: "initiator", staticSecret: randomBytes(32), accept })
    const forging: FrameSocket = {
      send: (bytes) => right.send(bytes.length === 17 ? randomBytes(17) : bytes),
      close: (code, reason) => right.close(code, reason),
      onMessage: (fn) => right.onMessage(fn),
      onClose: (fn) => right.onClose(fn),
    }
    const r = runHandshake(forging, { mode: "trusted-xx", role: "responder", staticSecret: randomBytes(32), accept })
    expect(await rejection(i)).toMatchObject({ code: "HANDSHAKE_FAILED", data: { reason: "protocol error" } })
    const responder = await r
    expect(await new Promise((resolve) => responder.channel.onClose(resolve))).toMatchObject({ reason: "protocol error", local: false })
  })
})
