import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs"
import { createConnection, createServer } from "node:net"
import { dirname } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { ApiServer, EVENT_NAMES } from "../../../src/api/index.js"
import { connect } from "../../../src/api/client.js"
import { listenPrivately } from "../../../src/api/socket-file.js"
import { LanvaultError, LockedError, rpcCodeOf } from "../../../src/errors.js"
import { RawClient, makeStaleSocket, recordingLogger, startServer, tempSocketPath } from "./helpers.js"

const status = () => ({
  version: "0.1.0", home: "/h", socket: "/h/s", accountId: "a", deviceId: "d", deviceName: "n",
  locked: true, autoLockMinutes: 15, pid: 1, startedAt: 0, peers: [],
})

async function thrown(promise: Promise<unknown>): Promise<LanvaultError> {
  try {
    await promise
  } catch (error) {
    return error as LanvaultError
  }
  throw new Error("expected a rejection")
}

describe("ApiServer requests", () => {
  it("answers a method with its result", async () => {
    const { socketPath } = await startServer({ handlers: { status } })
    const client = await RawClient.open(socketPath)
    expect(await client.request({ jsonrpc: "2.0", id: 1, method: "status" })).toEqual({ jsonrpc: "2.0", id: 1, result: status() })
  })

  it("sends a long frozen list (non-ASCII titles, a string id) as ASCII that the typed client reads back as the same objects, twice", async () => {
    const list = Object.freeze(Array.from({ length: 300 }, (_, i) => Object.freeze({ id: `r${i}`, title: `Müller ✓ 🔑 ${i}`, tags: Object.freeze(["ß"]) })))
    const { socketPath } = await startServer({ handlers: { "records.list": () => list as never } })
    const raw = await RawClient.open(socketPath)
    const answer = await raw.request({ jsonrpc: "2.0", id: "ïd", method: "records.list", params: {} })
    expect(answer).toEqual({ jsonrpc: "2.0", id: "ïd", result: JSON.parse(JSON.stringify(list)) })
    const client = await connect({ socketPath })
    onTestFinished(() => client.close())
    for (let i = 0; i < 2; i++) expect(await client.call("records.list", {})).toEqual(JSON.parse(JSON.stringify(list)))
  })

  it("says when answers are still being written: settles once a client that paused reads them, and waits no more for one that stops reading", async () => {
    const big = Object.freeze(Array.from({ length: 20_000 }, (_, i) => Object.freeze({ id: `r${i}`, title: `record number ${i} with a title long enough` })))
    const { server, socketPath } = await startServer({ handlers: { "records.list": () => big as never } })
    expect(server.answersFlushed()).toBeUndefined()
    const socket = createConnection(socketPath)
    onTestFinished(() => void socket.destroy())
    await new Promise((resolve) => socket.once("connect", resolve))
    socket.pause()
    socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "records.list", params: {} })}\n`)
    let pending: Promise<void> | undefined
    for (let i = 0; i < 100 && pending === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      pending = server.answersFlushed()
    }
    expect(pending).toBeDefined()
    let settled = false
    void pending!.then(() => (settled = true))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(settled).toBe(false)
    let received = 0
    socket.on("data", (chunk: Buffer) => (received += chunk.length))
    socket.resume()
    await pending
    expect(received).toBeGreaterThan(500_000)
    expect(server.answersFlushed()).toBeUndefined()
    // A client that never reads holds its answer back for at most a second.
    const stuck = createConnection(socketPath)
    onTestFinished(() => void stuck.destroy())
    await new Promise((resolve) => stuck.once("connect", resolve))
    stuck.pause()
    stuck.write(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "records.list", params: {} })}\n`)
    let held: Promise<void> | undefined
    for (let i = 0; i < 100 && held === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      held = server.answersFlushed()
    }
    const started = Date.now()
    await held
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(server.answersFlushed()).toBeUndefined()
  })

  it("passes params and the connection id to the handler", async () => {
    const seen: unknown[] = []
    const { socketPath } = await startServer({
      handlers: { "records.get": (params, ctx) => (seen.push(params, ctx), { id: params.id } as never) },
    })
    const client = await RawClient.open(socketPath)
    await client.request({ jsonrpc: "2.0", id: 1, method: "records.get", params: { id: "r1" } })
    expect(seen).toEqual([{ id: "r1" }, { connectionId: expect.any(Number) }])
  })

  it("keeps the code of a typed error: a locked vault answers LOCKED", async () => {
    const { socketPath } = await startServer({ handlers: { "records.list": () => { throw new LockedError() } } })
    const client = await RawClient.open(socketPath)
    const answer = await client.request({ jsonrpc: "2.0", id: 2, method: "records.list", params: {} })
    expect(answer.id).toBe(2)
    expect(answer.error).toMatchObject({ code: rpcCodeOf("LOCKED"), data: { name: "LOCKED" } })
  })

  it("answers INTERNAL for an unexpected error, without its message, and logs it", async () => {
    const logger = recordingLogger()
    const { socketPath } = await startServer({ logger, handlers: { unlock: async () => { throw new Error("secret hunter2") } } })
    const client = await RawClient.open(socketPath)
    const answer = await client.request({ jsonrpc: "2.0", id: 3, method: "unlock", params: { password: "x" } })
    expect(answer.error.data.name).toBe("INTERNAL")
    expect(JSON.stringify(answer)).not.toContain("hunter2")
    expect(logger.lines.some((line) => line.level === "error")).toBe(true)
    expect(JSON.stringify(logger.lines)).not.toContain("hunter2")
  })

  it("answers PARSE_ERROR for malformed JSON and keeps the connection usable", async () => {
    const { socketPath } = await startServer({ handlers: { status } })
    const client = await RawClient.open(socketPath)
    expect(await client.request("{this is not json")).toMatchObject({ id: null, error: { data: { name: "PARSE_ERROR" } } })
    expect(await client.request({ jsonrpc: "2.0", id: 4, method: "status" })).toMatchObject({ id: 4, result: { locked: true } })
  })

  it("answers INVALID_REQUEST for a non-object and for a missing method", async () => {
    const { socketPath } = await startServer({ handlers: { status } })
    const client = await RawClient.open(socketPath)
    expect((await client.request("[1,2,3]")).error.data.name).toBe("INVALID_REQUEST")
    expect(await client.request({ jsonrpc: "2.0", id: 5 })).toMatchObject({ id: 5, error: { data: { name: "INVALID_REQUEST" } } })
    expect(await client.request({ jsonrpc: "2.0", id: 6, method: "status" })).toMatchObject({ id: 6, result: {} })
  })

  it("answers METHOD_NOT_FOUND with the method name, also for Object.prototype names", async () => {
    const { socketPath } = await startServer({ handlers: { status } })
    const client = await RawClient.open(socketPath)
    const answer = await client.request({ jsonrpc: "2.0", id: 7, method: "records.teleport" })
    expect(answer.error).toMatchObject({ code: rpcCodeOf("METHOD_NOT_FOUND"), data: { name: "METHOD_NOT_FOUND", method: "records.teleport" } })
    expect(answer.error.message).toContain("records.teleport")
    expect((await client.request({ jsonrpc: "2.0", id: 8, method: "toString" })).error.data.name).toBe("METHOD_NOT_FOUND")
  })

  it("answers INVALID_PARAMS for params that are not an object", async () => {
    const { socketPath } = await startServer({ handlers: { status } })
    const client = await RawClient.open(socketPath)
    expect((await client.request({ jsonrpc: "2.0", id: 9, method: "status", params: [1] })).error.data.name).toBe("INVALID_PARAMS")
  })

  it("handles requests of one connection concurrently: a quick answer overtakes a slow one", async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const { socketPath } = await startServer({
      handlers: { unlock: async () => (await gate, { unlocked: true, records: 0 }), lock: () => ({ locked: true }) },
    })
    const client = await RawClient.open(socketPath)
    client.send(`${JSON.stringify({ jsonrpc: "2.0", id: "slow", method: "unlock", params: { password: "p" } })}\n`)
    expect(await client.request({ jsonrpc: "2.0", id: "quick", method: "lock" })).toMatchObject({ id: "quick" })
    release()
    expect(await client.next()).toMatchObject({ id: "slow", result: { unlocked: true } })
  })

  it("calls onActivity with the method of every well-formed request", async () => {
    const methods: string[] = []
    const { socketPath } = await startServer({ handlers: { status }, onActivity: (method) => methods.push(method) })
    const client = await RawClient.open(socketPath)
    await client.request({ jsonrpc: "2.0", id: 1, method: "status" })
    await client.request("garbage")
    expect(methods).toEqual(["status"])
  })

  it("answers MESSAGE_TOO_LARGE to an over-long line, closes that connection, and still serves others", async () => {
    const { socketPath } = await startServer({ handlers: { status } }, { maxLineBytes: 64 })
    const client = await RawClient.open(socketPath)
    client.send(`{"jsonrpc":"2.0","id":1,"method":"status","params":{"pad":"${"x".repeat(200)}"}}\n`)
    expect(await client.next()).toMatchObject({ id: null, error: { code: rpcCodeOf("MESSAGE_TOO_LARGE"), data: { name: "MESSAGE_TOO_LARGE" } } })
    await client.waitClosed()
    const other = await RawClient.open(socketPath)
    expect(await other.request({ jsonrpc: "2.0", id: 2, method: "status" })).toMatchObject({ id: 2, result: {} })
  })

  it("answers the last request of a client that half-closes its side", async () => {
    const { socketPath } = await startServer({ handlers: { status } })
    const client = await RawClient.open(socketPath)
    client.socket.end(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "status" })}`)
    expect(await client.next()).toMatchObject({ id: 1, result: {} })
    await client.waitClosed()
  })

  it("refuses clients beyond maxConnections with NOT_ALLOWED", async () => {
    const { socketPath } = await startServer({ handlers: { status } }, { maxConnections: 1 })
    const first = await RawClient.open(socketPath)
    await first.request({ jsonrpc: "2.0", id: 1, method: "status" })
    const second = await RawClient.open(socketPath)
    expect((await second.next()).error.data.name).toBe("NOT_ALLOWED")
    await second.waitClosed()
  })
})

describe("ApiServer socket file", () => {
  it("creates a 0700 directory and a 0600 socket", async () => {
    const { socketPath } = await startServer()
    expect(statSync(socketPath).isSocket()).toBe(true)
    expect(statSync(socketPath).mode & 0o777).toBe(0o600)
    expect(statSync(dirname(socketPath)).mode & 0o777).toBe(0o700)
  })

  it("binds the socket without group or world access before any chmod, and restores the umask", async () => {
    const { socketPath } = tempSocketPath()
    mkdirSync(dirname(socketPath), { mode: 0o700 })
    const umask = process.umask(0o022)
    process.umask(umask)
    const server = createServer()
    await listenPrivately(server, socketPath)
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    expect(statSync(socketPath).mode & 0o077).toBe(0)
    const after = process.umask(umask)
    expect(after).toBe(umask)
  })

  it("refuses a second server on the same path with ALREADY_RUNNING, and the first keeps serving", async () => {
    const { socketPath } = await startServer({ handlers: { status } })
    const second = new ApiServer({ handlers: {} }, { socketPath })
    expect((await thrown(second.start())).code).toBe("ALREADY_RUNNING")
    await second.stop()
    const client = await RawClient.open(socketPath)
    expect(await client.request({ jsonrpc: "2.0", id: 1, method: "status" })).toMatchObject({ result: {} })
  })

  it("replaces a stale socket file nobody listens on", async () => {
    const { socketPath } = tempSocketPath()
    await makeStaleSocket(socketPath)
    expect(existsSync(socketPath)).toBe(true)

    const server = new ApiServer({ handlers: { status } }, { socketPath })
    await server.start()
    onTestFinished(() => server.stop())
    const client = await RawClient.open(socketPath)
    expect(await client.request({ jsonrpc: "2.0", id: 1, method: "status" })).toMatchObject({ result: {} })
  })

  it("refuses to replace a file that is not a socket", async () => {
    const { socketPath } = tempSocketPath()
    mkdirSync(dirname(socketPath), { mode: 0o700 })
    writeFileSync(socketPath, "mine")
    const server = new ApiServer({ handlers: {} }, { socketPath })
    expect((await thrown(server.start())).code).toBe("USAGE")
    expect(existsSync(socketPath)).toBe(true)
  })

  it("removes the socket file on stop, and start/stop are idempotent", async () => {
    const { socketPath } = tempSocketPath()
    const server = new ApiServer({ handlers: {} }, { socketPath })
    await Promise.all([server.start(), server.start()])
    expect(existsSync(socketPath)).toBe(true)
    await Promise.all([server.stop(), server.stop()])
    expect(existsSync(socketPath)).toBe(false)
    await server.stop()
    await server.start()
    expect(existsSync(socketPath)).toBe(true)
    await server.stop()
    expect(existsSync(socketPath)).toBe(false)
  })

  it("closes open connections on stop", async () => {
    const { server, socketPath } = await startServer()
    const client = await RawClient.open(socketPath)
    await server.stop()
    await client.waitClosed()
  })
})

const progress = { type: "sync.progress", done: 1, total: 2, phase: "x".repeat(1_000) } as const

describe("ApiServer events", () => {
  it("delivers only the events a connection subscribed to", async () => {
    const { server, socketPath } = await startServer()
    const lockWatcher = await RawClient.open(socketPath)
    const everything = await RawClient.open(socketPath)
    const bystander = await RawClient.open(socketPath)
    expect(await lockWatcher.request({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { events: ["locked"] } })).toEqual({
      jsonrpc: "2.0", id: 1, result: { subscribed: ["locked"] },
    })
    expect((await everything.request({ jsonrpc: "2.0", id: 1, method: "subscribe" })).result.subscribed).toHaveLength(EVENT_NAMES.length)
    await bystander.request({ jsonrpc: "2.0", id: 1, method: "status" })

    server.publish({ type: "record.changed", id: "r1", origin: "local" })
    server.publish({ type: "locked", reason: "idle" })

    expect(await lockWatcher.next()).toEqual({ jsonrpc: "2.0", method: "event", params: { type: "locked", reason: "idle" } })
    expect((await everything.next()).params.type).toBe("record.changed")
    expect((await everything.next()).params.type).toBe("locked")
    // The bystander's next line is the answer to its own request: no event slipped in before it.
    expect(await bystander.request({ jsonrpc: "2.0", id: 2, method: "nope" })).toMatchObject({ id: 2 })
  })

  it("refuses unknown event names with INVALID_PARAMS", async () => {
    const { socketPath } = await startServer()
    const client = await RawClient.open(socketPath)
    const answer = await client.request({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { events: ["locked", "weather"] } })
    expect(answer.error.data.name).toBe("INVALID_PARAMS")
  })

  it("disconnects a subscriber that stops reading instead of buffering without bound", async () => {
    const logger = recordingLogger()
    const { server, socketPath } = await startServer({ logger }, { maxSubscriberBufferBytes: 64 * 1024 })
    const slow = await RawClient.open(socketPath)
    await slow.request({ jsonrpc: "2.0", id: 1, method: "subscribe" })
    slow.socket.pause()
    let published = 0
    while (published < 10_000 && server.connectionCount > 0) {
      server.publish(progress)
      published += 1
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(server.connectionCount).toBe(0)
    // It was cut off only after the kernel's socket buffer and our 64 KiB had filled up.
    expect(published).toBeGreaterThan(64)
    expect(logger.lines.some((line) => line.level === "warn" && line.message.includes("subscriber"))).toBe(true)
  })

  it("keeps a subscriber that reads, under the same limit and the same flow of events", async () => {
    const { server, socketPath } = await startServer({}, { maxSubscriberBufferBytes: 64 * 1024 })
    const reader = await RawClient.open(socketPath)
    await reader.request({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { events: ["sync.progress"] } })
    const count = 2_000
    for (let i = 0; i < count; i++) {
      server.publish(progress)
      await new Promise((resolve) => setImmediate(resolve))
    }
    for (let i = 0; i < count; i++) expect((await reader.next()).params.type).toBe("sync.progress")
    expect(server.connectionCount).toBe(1)
  })
})
