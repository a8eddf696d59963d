import { connect as netConnect, type Socket } from "node:net"
import fc from "fast-check"
import { afterAll, expect, it } from "vitest"
import { ERROR_CODES } from "../../src/errors.js"
import { chaosSeed, describeChaos, log, since, sized } from "./helpers/chaos-env.js"
import { LoopbackVault } from "./helpers/loopback-vault.js"

/**
 * Hostile JSON-RPC lines against a real, unlocked daemon (the codec alone is
 * fuzzed in test/unit/api): thousands of random lines — garbage, random JSON,
 * and requests for real methods with random params — over several connections
 * at once. Every request with an id gets exactly one answer, every error is a
 * typed one (never INTERNAL: that would be a handler tripping over its input),
 * and the daemon keeps serving. Methods that would leave the machine or the
 * vault's reach (dialling peers, reset, files, password) are not called.
 */

const LINES = sized({ ci: 20_000, full: 100_000 })
const CONNECTIONS = 4
const SAFE_METHODS = [
  "status", "records.list", "records.get", "records.create", "records.update", "records.delete", "records.history",
  "devices.list", "devices.rename", "pairing.open", "pairing.close", "folders.list", "peers.list", "backup.list", "subscribe",
] as const
const KNOWN_RPC_CODES = new Map<number, string>(Object.entries(ERROR_CODES).map(([name, { rpc }]) => [rpc, name]))

const vaults: LoopbackVault[] = []
afterAll(async () => {
  for (const vault of vaults) await vault.destroy()
})

/** Params shaped like the real ones, filled with anything. */
const params = fc.oneof(
  fc.jsonValue(),
  fc.record({ id: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record(
    {
      id: fc.string(),
      record: fc.record({ type: fc.string(), title: fc.string(), fields: fc.dictionary(fc.string(), fc.record({ value: fc.string(), kind: fc.string() })), notes: fc.jsonValue(), tags: fc.jsonValue() }, { requiredKeys: [] }),
      set: fc.oneof(fc.jsonValue(), fc.record({ title: fc.jsonValue(), trashed: fc.jsonValue(), fields: fc.jsonValue(), tags: fc.jsonValue() }, { requiredKeys: [] })),
      unset: fc.jsonValue(),
      permanent: fc.jsonValue(),
      query: fc.jsonValue(),
      trash: fc.jsonValue(),
      events: fc.jsonValue(),
      seconds: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.jsonValue()),
      deviceId: fc.string(),
      name: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
)

/** A request with an id we track: [id, line]. */
const request = fc.tuple(fc.constantFrom(...SAFE_METHODS), params).map(([method, p]) => ({ method, params: p }))

const garbage = fc.oneof(
  fc.string(),
  fc.json(),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1").replace(/\n/g, " ")),
  fc.jsonValue().map((v) => JSON.stringify({ jsonrpc: "2.0", id: v, method: v, params: v })),
  fc.string().map((method) => JSON.stringify({ jsonrpc: "2.0", method, params: {} })),
)

describeChaos("random JSON-RPC lines against a real daemon", () => {
  it(`${LINES} hostile lines on ${CONNECTIONS} connections: one typed answer per request, never INTERNAL, the daemon keeps serving`, async () => {
    const seed = chaosSeed("rpc-fuzz")
    const started = Date.now()
    const vault = await LoopbackVault.create("fuzz")
    vaults.push(vault)
    await vault.init()
    await vault.start()
    await vault.unlock()
    const { id: knownId } = await vault.client!.call("records.create", { record: { type: "login", title: "known", fields: { password: { value: "kept", kind: "secret" } } } })

    const kinds = fc.sample(fc.oneof({ arbitrary: request, weight: 3 }, { arbitrary: garbage.map((line) => ({ line })), weight: 2 }), { seed, numRuns: LINES })
    const perConnection: string[][] = Array.from({ length: CONNECTIONS }, () => [])
    const expectedIds: Array<Map<number, string>> = Array.from({ length: CONNECTIONS }, () => new Map())
    let nextId = 1_000_000
    kinds.forEach((item, i) => {
      const c = i % CONNECTIONS
      if ("line" in item) perConnection[c].push(item.line)
      else {
        const id = nextId++
        // Half the real requests are aimed at a record that exists.
        const p = i % 2 === 0 && typeof item.params === "object" && item.params !== null && !Array.isArray(item.params) ? { ...item.params, id: knownId } : item.params
        const line = JSON.stringify({ jsonrpc: "2.0", id, method: item.method, params: p })
        perConnection[c].push(line)
        expectedIds[c].set(id, line)
      }
    })

    const results = await Promise.all(perConnection.map((lines, c) => sendAll(vault.socketPath, lines, expectedIds[c])))
    const problems: string[] = []
    let answered = 0
    const codes = new Map<string, number>()
    for (const [c, result] of results.entries()) {
      for (const answer of result.answers) {
        const parsed = parse(answer)
        if (parsed === undefined) {
          problems.push(`connection ${c}: an answer that is not JSON: ${answer.slice(0, 200)}`)
          continue
        }
        if (parsed.method === "event") continue
        if (typeof parsed.id === "number" && expectedIds[c].has(parsed.id)) answered += 1
        const error = parsed.error as { code?: number; data?: { name?: string } } | undefined
        if (error === undefined) continue
        const name = error.data?.name ?? KNOWN_RPC_CODES.get(error.code ?? 0) ?? `rpc ${error.code}`
        codes.set(name, (codes.get(name) ?? 0) + 1)
        if (!KNOWN_RPC_CODES.has(error.code ?? 0)) problems.push(`connection ${c}: an untyped error ${JSON.stringify(error)}`)
        if (name === "INTERNAL") problems.push(`INTERNAL error for ${expectedIds[c].get(parsed.id as number)?.slice(0, 300) ?? "(a line without a tracked id)"}`)
      }
      if (result.closedEarly) log(`rpc-fuzz: connection ${c} was closed by the daemon after ${result.answers.length} answers`)
    }
    const requests = expectedIds.reduce((n, m) => n + m.size, 0)
    log(`rpc-fuzz: ${LINES} lines, ${requests} tracked requests, ${answered} answered; errors by code ${JSON.stringify(Object.fromEntries(codes))}; ${since(started)}`)

    // Still serving, and the record the fuzz could reach but not break is intact or a typed change of it.
    expect(vault.daemon?.process.exitCode).toBe(null)
    const status = await vault.client!.call("status", {})
    expect(status.locked).toBe(false)
    const { id } = await vault.client!.call("records.create", { record: { type: "note", title: "after the fuzz" } })
    expect((await vault.client!.call("records.get", { id })).title).toBe("after the fuzz")
    expect(problems.slice(0, 20)).toEqual([])
    // A connection the daemon closed (a line too long, say) loses its unanswered requests; others must all be answered.
    for (const [c, result] of results.entries()) if (!result.closedEarly) expect(result.answeredIds.size, `connection ${c}`).toBe(expectedIds[c].size)
  })
})

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Writes every line, then waits until each tracked id is answered (or the daemon closes the connection). */
function sendAll(socketPath: string, lines: string[], expected: Map<number, string>): Promise<{ answers: string[]; answeredIds: Set<number>; closedEarly: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = netConnect(socketPath)
    const answers: string[] = []
    const answeredIds = new Set<number>()
    let buffer = ""
    let done = false
    const finish = (closedEarly: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ answers, answeredIds, closedEarly })
    }
    const timer = setTimeout(() => reject(new Error(`${expected.size - answeredIds.size} requests unanswered after 120 s`)), 120_000)
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      buffer += chunk
      let newline: number
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        answers.push(line)
        const id = parse(line)?.id
        if (typeof id === "number" && expected.has(id)) answeredIds.add(id)
      }
      if (answeredIds.size === expected.size) finish(false)
    })
    socket.on("error", () => finish(true))
    socket.on("close", () => finish(true))
    socket.once("connect", () => {
      for (const line of lines) socket.write(`${line}\n`)
    })
  })
}
