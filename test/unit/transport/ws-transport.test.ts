import { connect as netConnect, type Socket } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { randomBytes, utf8 } from "../../../src/crypto/bytes.js"
import { LanvaultError } from "../../../src/errors.js"
import { CLOSE_REASONS, type CloseReason } from "../../../src/transport/close-reasons.js"
import { runHandshake, type AcceptPeer, type HandshakeMode, type HandshakeResult } from "../../../src/transport/handshake-session.js"
import {
  MAX_PENDING_PER_ADDRESS, MAX_STRANGERS_PER_ADDRESS, UPGRADE_DEADLINE_MS, WsListener, type WsListenerOptions,
} from "../../../src/transport/ws-transport.js"
import { dialWs } from "../../../src/transport/ws-dial.js"
import { messages } from "./helpers.js"

const HOST = "127.0.0.1"
const ACCOUNT_KEY = randomBytes(16)
const accept: AcceptPeer = () => "accept"
const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface ServerSetup {
  listener: WsListener
  /** Settles with each server-side handshake, in order of connection. */
  results: Array<Promise<HandshakeResult>>
}

async function server(
  options: WsListenerOptions & { mode?: HandshakeMode; accept?: AcceptPeer; timeoutMs?: number; accountKey?: Uint8Array } = {},
): Promise<ServerSetup> {
  const listener = new WsListener({ host: HOST, port: 0, ...options })
  cleanups.push(() => listener.stop())
  const results: Array<Promise<HandshakeResult>> = []
  listener.on("connection", ({ socket }) => {
    const result = runHandshake(socket, {
      role: "responder",
      mode: options.mode ?? "trusted-xx",
      staticSecret: randomBytes(32),
      accountKey: options.accountKey ?? ACCOUNT_KEY,
      payload: utf8("server hello"),
      accept: options.accept ?? accept,
      timeoutMs: options.timeoutMs,
    })
    result.catch(() => undefined)
    results.push(result)
  })
  await listener.start()
  return { listener, results }
}

async function client(port: number, mode: HandshakeMode = "trusted-xx", accountKey = ACCOUNT_KEY): Promise<HandshakeResult> {
  const socket = await dialWs(HOST, port, { timeoutMs: 2_000 })
  cleanups.push(() => socket.close(CLOSE_REASONS["normal closure"], "normal closure"))
  const result = await runHandshake(socket, { role: "initiator", mode, staticSecret: randomBytes(32), accountKey, payload: utf8("client hello"), accept })
  cleanups.push(() => result.channel.close())
  return result
}

/** A plain ws client, to misbehave with. Resolves once open. */
async function rawClient(port: number, from?: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`ws://${HOST}:${port}/`, { localAddress: from })
  cleanups.push(() => ws.terminate())
  ws.on("error", () => undefined)
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })))
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve())
    ws.once("close", () => reject(new Error("closed before open")))
  })
  return { ws, closed }
}

function closeOf(reason: CloseReason): { code: number; reason: string } {
  return { code: CLOSE_REASONS[reason], reason }
}

async function rejection(promise: Promise<unknown>): Promise<LanvaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(LanvaultError)
  return error as LanvaultError
}

describe("ws transport on 127.0.0.1", () => {
  it("runs a trusted handshake and carries messages both ways", async () => {
    const { listener, results } = await server()
    const mine = await client(listener.port)
    const theirs = await results[0]
    expect(mine.remotePayload).toEqual(utf8("server hello"))
    expect(theirs.remotePayload).toEqual(utf8("client hello"))
    expect(mine.handshakeHash).toEqual(theirs.handshakeHash)
    expect(mine.confirmationCode).toBeUndefined()
    const big = randomBytes(300_000)
    const atServer = messages(theirs.channel, 1)
    const atClient = messages(mine.channel, 1)
    mine.channel.send(big)
    theirs.channel.send(utf8("ack"))
    expect(await atServer).toEqual([big])
    expect(await atClient).toEqual([utf8("ack")])
  })

  it("pairs with the same 6-digit code on both sides", async () => {
    const { listener, results } = await server({ mode: "pair" })
    const mine = await client(listener.port, "pair")
    const theirs = await results[0]
    expect(mine.confirmationCode).toMatch(/^\d{6}$/)
    expect(mine.confirmationCode).toBe(theirs.confirmationCode)
  })

  it("refuses a pairing with a wrong account key: 'wrong account key' on both sides", async () => {
    const { listener, results } = await server({ mode: "pair" })
    const error = await rejection(client(listener.port, "pair", randomBytes(16)))
    expect(error).toMatchObject({ code: "PEER_REFUSED", data: { reason: "wrong account key", code: CLOSE_REASONS["wrong account key"] } })
    expect(await rejection(results[0])).toMatchObject({ code: "HANDSHAKE_FAILED", data: { reason: "wrong account key" } })
  })

  it("tells a refused device why", async () => {
    const { listener } = await server({ accept: async () => ({ refuse: "account was reset" }) })
    const error = await rejection(client(listener.port))
    expect(error).toMatchObject({ code: "PEER_REFUSED", data: { reason: "account was reset" } })
  })

  it("closes garbage instead of a handshake with 'protocol error' and keeps serving", async () => {
    const { listener, results } = await server()
    const raw = await rawClient(listener.port)
    raw.ws.send(randomBytes(77))
    expect(await raw.closed).toEqual(closeOf("protocol error"))
    expect(await rejection(results[0])).toMatchObject({ data: { reason: "protocol error" } })
    const good = await client(listener.port)
    expect(good.remotePayload).toEqual(utf8("server hello"))
  })

  it("times out a stalled handshake with 'handshake timeout'", async () => {
    const { listener, results } = await server({ timeoutMs: 150 })
    const raw = await rawClient(listener.port)
    expect(await raw.closed).toEqual(closeOf("handshake timeout"))
    expect(await rejection(results[0])).toMatchObject({ code: "TIMEOUT" })
  })

  it("closes on a text frame with 'protocol error'", async () => {
    const { listener } = await server()
    const raw = await rawClient(listener.port)
    raw.ws.send("hello")
    expect(await raw.closed).toEqual(closeOf("protocol error"))
  })

  it("closes a frame a little over 65,535 bytes after the handshake with 'message too large'", async () => {
    const { listener, results } = await server()
    const socket = await dialWs(HOST, listener.port)
    cleanups.push(() => socket.close(4000, "normal closure"))
    const mine = await runHandshake(socket, { role: "initiator", mode: "trusted-xx", staticSecret: randomBytes(32), accept })
    const theirs = await results[0]
    const closedHere = new Promise((resolve) => mine.channel.onClose(resolve))
    const closedThere = new Promise((resolve) => theirs.channel.onClose(resolve))
    socket.send(new Uint8Array(65_536))
    expect(await closedThere).toMatchObject({ reason: "message too large", local: true })
    expect(await closedHere).toMatchObject({ reason: "message too large", local: false })
  })

  it("rate-limits connection attempts per address", async () => {
    const { listener } = await server({ perAddressRatePerMinute: 2, timeoutMs: 5_000 })
    const refusals: string[] = []
    listener.on("refused", ({ reason }) => refusals.push(reason))
    await rawClient(listener.port)
    await rawClient(listener.port)
    const third = await rawClient(listener.port)
    expect(await third.closed).toEqual(closeOf("rate limited"))
    expect(refusals).toEqual(["rate limited"])
  })

  it("lets attempts through again once the minute has passed", async () => {
    let now = 0
    const { listener } = await server({ perAddressRatePerMinute: 1, now: () => now })
    await rawClient(listener.port)
    expect(await (await rawClient(listener.port)).closed).toEqual(closeOf("rate limited"))
    now = 60_000
    const later = await client(listener.port)
    expect(later.remotePayload).toEqual(utf8("server hello"))
  })

  it("refuses a source outside the LAN policy before anything else", async () => {
    const { listener, results } = await server({ isAllowedAddress: () => false, perAddressRatePerMinute: 0 })
    const raw = await rawClient(listener.port)
    expect(await raw.closed).toEqual(closeOf("not on the LAN"))
    expect(results).toHaveLength(0)
  })

  it("applies the real LAN policy with 127.0.0.1 accepted", async () => {
    const seen: string[] = []
    const { listener } = await server()
    listener.on("connection", ({ remoteAddress }) => seen.push(remoteAddress))
    await client(listener.port)
    expect(seen).toEqual([HOST])
  })

  it("caps the number of open connections", async () => {
    const { listener } = await server({ maxConnections: 1, timeoutMs: 5_000 })
    await rawClient(listener.port)
    const second = await rawClient(listener.port)
    expect(await second.closed).toEqual(closeOf("too many connections"))
    expect(listener.connectionCount).toBe(1)
  })

  it("keeps a host with 130 idle TCP sockets from locking others out, and closes its idle sockets quickly (issue 11 item 12)", async () => {
    const { listener } = await server()
    const idle: Array<{ socket: Socket; closedAt: Promise<number> }> = []
    const opened = Date.now()
    for (let i = 0; i < 130; i++) {
      const socket = netConnect({ host: HOST, port: listener.port, localAddress: "127.0.0.2" })
      socket.on("error", () => undefined)
      cleanups.push(() => void socket.destroy())
      idle.push({ socket, closedAt: new Promise((resolve) => socket.once("close", () => resolve(Date.now() - opened))) })
    }
    await Promise.all(idle.map(({ socket }) => new Promise((resolve) => (socket.connecting ? socket.once("connect", resolve).once("close", resolve) : resolve(null)))))
    // A real device dials from elsewhere meanwhile: it gets in at once.
    const device = await client(listener.port)
    expect(device.remotePayload).toEqual(utf8("server hello"))
    const closedAt = await Promise.all(idle.map(({ closedAt }) => closedAt))
    // Past the per-address cap the sockets are cut at once; the rest when the upgrade deadline passes.
    expect(closedAt.filter((ms) => ms < UPGRADE_DEADLINE_MS / 2).length).toBeGreaterThanOrEqual(130 - MAX_PENDING_PER_ADDRESS)
    expect(Math.max(...closedAt)).toBeLessThan(UPGRADE_DEADLINE_MS + 5_000)
  })

  it("limits unproved links per address and keeps room for trusted devices (issue 11 item 12)", async () => {
    // 127.0.0.1 is where a trusted device linked from before; strangers may hold half of the 4 links.
    const { listener } = await server({ maxConnections: 4, timeoutMs: 10_000, isPreferredAddress: (ip) => ip === HOST })
    await rawClient(listener.port, "127.0.0.3")
    await rawClient(listener.port, "127.0.0.4")
    const third = await rawClient(listener.port, "127.0.0.5")
    expect(await third.closed).toEqual(closeOf("too many connections"))
    const trusted = await client(listener.port)
    expect(trusted.remotePayload).toEqual(utf8("server hello"))
    expect(listener.connectionCount).toBe(3)

    const { listener: wide } = await server({ timeoutMs: 10_000 })
    for (let i = 0; i < MAX_STRANGERS_PER_ADDRESS; i++) await rawClient(wide.port, "127.0.0.6")
    const over = await rawClient(wide.port, "127.0.0.6")
    expect(await over.closed).toEqual(closeOf("too many connections"))
    const elsewhere = await client(wide.port)
    expect(elsewhere.remotePayload).toEqual(utf8("server hello"))
  })

  it("closes open links with 'shutting down' on stop(), and stop() is idempotent", async () => {
    const { listener, results } = await server()
    const mine = await client(listener.port)
    await results[0]
    const closed = new Promise((resolve) => mine.channel.onClose(resolve))
    await listener.stop()
    await listener.stop()
    expect(await closed).toMatchObject({ reason: "shutting down", local: false })
  })
})

describe("dialWs", () => {
  it("refuses to dial an address outside the LAN", async () => {
    for (const host of ["8.8.8.8", "2001:4860:4860::8888", "[2606:4700::1111]"]) {
      expect(await rejection(dialWs(host, 47110, { timeoutMs: 500 }))).toMatchObject({ code: "NOT_ALLOWED" })
    }
  })

  it("uses an injected policy, which can refuse even 127.0.0.1", async () => {
    const error = await rejection(dialWs("127.0.0.1", 9, { isAllowedAddress: () => false }))
    expect(error.code).toBe("NOT_ALLOWED")
  })

  it("reports a closed port as unreachable", async () => {
    const { listener } = await server()
    const port = listener.port
    await listener.stop()
    const error = await rejection(dialWs(HOST, port, { timeoutMs: 2_000 }))
    expect(error).toMatchObject({ code: "PEER_REFUSED", data: { unreachable: true } })
  })
})
