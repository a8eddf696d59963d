import { mkdirSync } from "node:fs"
import { createServer, type Socket } from "node:net"
import { dirname } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { connect, type LanvaultClient } from "../../../src/api/index.js"
import type { EventParams } from "../../../src/api/protocol.js"
import { LanvaultError, LockedError, TooManyAttemptsError } from "../../../src/errors.js"
import { makeStaleSocket, startServer, tempSocketPath } from "./helpers.js"

async function thrown(promise: Promise<unknown>): Promise<LanvaultError> {
  try {
    await promise
  } catch (error) {
    return error as LanvaultError
  }
  throw new Error("expected a rejection")
}

async function open(socketPath: string, timeoutMs?: number): Promise<LanvaultClient> {
  const client = await connect({ socketPath, timeoutMs })
  onTestFinished(() => client.close())
  return client
}

function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const tick = () => (check() ? resolve() : Date.now() > deadline ? reject(new Error("timed out")) : setTimeout(tick, 10))
    tick()
  })
}

describe("LanvaultClient", () => {
  it("calls a method and gets its typed result", async () => {
    const { socketPath } = await startServer({ handlers: { "records.create": (params) => ({ id: `id-of-${params.record.title}` }) } })
    const client = await open(socketPath)
    expect(await client.call("records.create", { record: { type: "login", title: "mail" } })).toEqual({ id: "id-of-mail" })
  })

  it("rejects with the server's code, message and data", async () => {
    const { socketPath } = await startServer({
      handlers: { "records.list": () => { throw new LockedError() }, unlock: () => { throw new TooManyAttemptsError(30_000) } },
    })
    const client = await open(socketPath)
    const locked = await thrown(client.call("records.list", {}))
    expect(locked).toBeInstanceOf(LanvaultError)
    expect(locked.code).toBe("LOCKED")
    expect(locked.message).toBe(new LockedError().message)
    const throttled = await thrown(client.call("unlock", { password: "nope" }))
    expect(throttled.code).toBe("TOO_MANY_ATTEMPTS")
    expect(throttled.data).toEqual({ retryAfterMs: 30_000 })
  })

  it("gets INTERNAL, without the secret, for a handler's unexpected error", async () => {
    const { socketPath } = await startServer({ handlers: { unlock: () => { throw new Error("secret hunter2") } } })
    const client = await open(socketPath)
    const error = await thrown(client.call("unlock", { password: "hunter2" }))
    expect(error.code).toBe("INTERNAL")
    expect(error.message).not.toContain("hunter2")
  })

  it("matches concurrent answers to their calls by id", async () => {
    const { socketPath } = await startServer({
      handlers: { "records.get": async (params) => {
        await new Promise((resolve) => setTimeout(resolve, params.id === "slow" ? 50 : 0))
        return { id: params.id } as never
      } },
    })
    const client = await open(socketPath)
    const [slow, quick] = await Promise.all([client.call("records.get", { id: "slow" }), client.call("records.get", { id: "quick" })])
    expect([slow.id, quick.id]).toEqual(["slow", "quick"])
  })

  it("throws DAEMON_NOT_RUNNING when no socket exists", async () => {
    const { socketPath } = tempSocketPath()
    const error = await thrown(connect({ socketPath }))
    expect(error.code).toBe("DAEMON_NOT_RUNNING")
  })

  it("throws DAEMON_NOT_RUNNING for a stale socket nobody listens on", async () => {
    const { socketPath } = tempSocketPath()
    await makeStaleSocket(socketPath)
    expect((await thrown(connect({ socketPath }))).code).toBe("DAEMON_NOT_RUNNING")
  })

  it("receives only the events it subscribed to", async () => {
    const { server, socketPath } = await startServer()
    const client = await open(socketPath)
    const locks: EventParams[] = []
    const all: EventParams[] = []
    await client.subscribe(["locked"], (event) => locks.push(event))
    await client.subscribe((event) => all.push(event))
    server.publish({ type: "record.changed", id: "r1", origin: "remote" })
    server.publish({ type: "locked", reason: "request" })
    await eventually(() => all.length === 2)
    expect(locks).toEqual([{ type: "locked", reason: "request" }])
    expect(all.map((event) => event.type)).toEqual(["record.changed", "locked"])
  })

  it("rejects a subscription to an unknown event with INVALID_PARAMS", async () => {
    const { socketPath } = await startServer()
    const client = await open(socketPath)
    expect((await thrown(client.subscribe(["weather" as never], () => {}))).code).toBe("INVALID_PARAMS")
  })

  it("times out a call the daemon never answers", async () => {
    const { socketPath } = await startServer({ handlers: { status: () => new Promise<never>(() => {}) } })
    const client = await open(socketPath, 100)
    expect((await thrown(client.call("status"))).code).toBe("TIMEOUT")
  })

  it("rejects waiting calls and reports close when the daemon stops", async () => {
    const { server, socketPath } = await startServer({ handlers: { status: () => new Promise<never>(() => {}) } })
    const client = await open(socketPath)
    const closed = new Promise<LanvaultError | undefined>((resolve) => client.on("close", resolve))
    const call = thrown(client.call("status"))
    await eventually(() => server.connectionCount === 1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await server.stop()
    expect((await call).code).toBe("DAEMON_NOT_RUNNING")
    expect((await closed)?.code).toBe("DAEMON_NOT_RUNNING")
    expect((await thrown(client.call("status"))).code).toBe("DAEMON_NOT_RUNNING")
  })

  it("close() ends the connection and later calls reject", async () => {
    const { server, socketPath } = await startServer({ handlers: { lock: () => ({ locked: true }) } })
    const client = await open(socketPath)
    await client.call("lock")
    client.close()
    client.close()
    expect((await thrown(client.call("lock"))).code).toBe("DAEMON_NOT_RUNNING")
    await eventually(() => server.connectionCount === 0 && client.isClosed)
  })

  it("rejects a request too large to send with MESSAGE_TOO_LARGE, before sending it", async () => {
    const { socketPath } = await startServer({ handlers: { unlock: () => ({ unlocked: true, records: 0 }) } })
    const client = await open(socketPath)
    const error = await thrown(client.call("unlock", { password: "x".repeat(9 * 1024 * 1024) }))
    expect(error.code).toBe("MESSAGE_TOO_LARGE")
    expect(await client.call("unlock", { password: "ok" })).toEqual({ unlocked: true, records: 0 })
  })

  it("ignores garbage and answers to unknown ids from the other end", async () => {
    const { socketPath } = tempSocketPath()
    mkdirSync(dirname(socketPath))
    const fake = createServer((socket: Socket) => {
      socket.on("data", (chunk) => {
        const request = JSON.parse(chunk.toString("utf8"))
        socket.write('not json\n{"jsonrpc":"2.0","id":999,"result":1}\n[]\n')
        socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: request.id, result: { locked: true } })}\n`)
      })
    })
    await new Promise<void>((resolve) => fake.listen(socketPath, resolve))
    onTestFinished(() => new Promise<void>((resolve) => fake.close(() => resolve())))
    const client = await open(socketPath)
    expect(await client.call("lock")).toEqual({ locked: true })
    client.close()
  })
})
