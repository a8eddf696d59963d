import Database from "better-sqlite3"
import { readFileSync, truncateSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs"
import { createConnection } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connect, type LanvaultClient } from "../../src/api/client.js"
import type { EventParams } from "../../src/api/protocol.js"
import { decodeListResult, SUMMARY_COLUMNS } from "../../src/api/summary-rows.js"
import type { RecordSummary } from "../../src/merge/types.js"
import { LanvaultError } from "../../src/errors.js"
import { runCli, startDaemon, tempHome, type DaemonProcess } from "./helpers/cli.js"
import { codeOfAsync as codeOf } from "../helpers/error-code.js"
import { PASSWORD, startDevice } from "../helpers/device-start.js"


/** Sends raw bytes and collects response lines until `count` arrive or the socket closes. */
function rawExchange(socketPath: string, payload: string | Buffer, count: number): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath)
    let buffer = ""
    const lines: string[] = []
    const finish = (closed: boolean) => {
      socket.destroy()
      resolve({ lines, closed })
    }
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8")
      let newline
      while ((newline = buffer.indexOf("\n")) !== -1) {
        lines.push(buffer.slice(0, newline))
        buffer = buffer.slice(newline + 1)
      }
      if (lines.length >= count) finish(false)
    })
    socket.on("close", () => finish(true))
    socket.on("error", () => finish(true))
    socket.write(payload)
  })
}

describe("the socket API of a real daemon under bad input", () => {
  const { home, cleanup } = tempHome()
  let daemon: DaemonProcess
  let client: LanvaultClient

  beforeAll(async () => {
    const device = await startDevice(home, { name: "api" })
    daemon = device.daemon
    client = device.client
  }, 60_000)

  afterAll(async () => {
    client?.close()
    await daemon?.stop("SIGKILL")
    cleanup()
  })

  it("answers LOCKED while locked", async () => {
    expect(await codeOf(client.call("records.list", {}))).toBe("LOCKED")
  })

  it("answers malformed lines with PARSE_ERROR and keeps the connection usable", async () => {
    const { lines } = await rawExchange(daemon.socketPath, '{"jsonrpc":"2.0", nope\n{"jsonrpc":"2.0","id":7,"method":"status"}\n', 2)
    const [bad, good] = lines.map((line) => JSON.parse(line))
    expect(bad.error.data.name).toBe("PARSE_ERROR")
    expect(good.id).toBe(7)
    expect(good.result.locked).toBe(true)
  })

  it("answers unknown methods with METHOD_NOT_FOUND and bad params with INVALID_PARAMS", async () => {
    const { lines } = await rawExchange(daemon.socketPath,
      '{"jsonrpc":"2.0","id":1,"method":"records.explode"}\n{"jsonrpc":"2.0","id":2,"method":"unlock","params":{"password":42}}\n', 2)
    const byId = new Map(lines.map((line) => JSON.parse(line)).map((r) => [r.id, r]))
    expect(byId.get(1).error.data.name).toBe("METHOD_NOT_FOUND")
    expect(byId.get(2).error.data.name).toBe("INVALID_PARAMS")
  })

  it("closes a connection whose line is over the size limit and keeps serving others", async () => {
    const huge = Buffer.alloc(9 * 1024 * 1024, 0x61)
    const { lines, closed } = await rawExchange(daemon.socketPath, huge, 1)
    expect(JSON.parse(lines[0]).error.data.name).toBe("MESSAGE_TOO_LARGE")
    expect(closed || lines.length === 1).toBe(true)
    expect((await client.call("status", {})).locked).toBe(true)
  })

  it("throttles repeated wrong passwords, then unlocks", async () => {
    const codes = []
    for (let i = 0; i < 4; i++) codes.push(await codeOf(client.call("unlock", { password: `wrong ${i}` })))
    expect(codes.slice(0, 3)).toEqual(["WRONG_PASSWORD", "WRONG_PASSWORD", "WRONG_PASSWORD"])
    expect(codes[3]).toBe("TOO_MANY_ATTEMPTS")
    await new Promise((r) => setTimeout(r, 1_100))
    expect((await client.call("unlock", { password: PASSWORD })).unlocked).toBe(true)
  })

  it("answers NOT_FOUND for an unknown record and sends record.changed events to subscribers", async () => {
    expect(await codeOf(client.call("records.get", { id: "0".repeat(32) }))).toBe("NOT_FOUND")
    const listener = await connect({ socketPath: daemon.socketPath })
    const events: EventParams[] = []
    await listener.subscribe(["record.changed"], (event) => events.push(event))
    const { id } = await client.call("records.create", { record: { type: "note", title: "hello", notes: "a note" } })
    for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    listener.close()
    expect(events).toContainEqual({ type: "record.changed", id, origin: "local" })
  })

  it("reports a tampered log entry at unlock and still reads every other record", async () => {
    const ids = []
    for (const title of ["one", "two", "three"]) ids.push((await client.call("records.create", { record: { type: "login", title } })).id)
    client.close()
    await daemon.stop("SIGKILL")
    const db = new Database(join(home, "vault.db"))
    const last = db.prepare("SELECT device_id, seq, ciphertext FROM entries ORDER BY seq DESC LIMIT 1").get() as { device_id: string; seq: number; ciphertext: Buffer }
    last.ciphertext[40] ^= 0xff
    db.prepare("UPDATE entries SET ciphertext = ? WHERE device_id = ? AND seq = ?").run(last.ciphertext, last.device_id, last.seq)
    db.close()

    daemon = await startDaemon({ home })
    client = await connect({ socketPath: daemon.socketPath })
    await client.call("unlock", { password: PASSWORD })
    const titles = (await client.call("records.list", {})).map((r) => r.title).sort()
    expect(titles).toEqual(["hello", "one", "two"])
    expect((await client.call("status", {})).unreadableEntries).toBe(1)
    expect(daemon.output()).toMatch(/could not be read/)
  })

  it("refuses to start on a truncated database and leaves the file as it was", async () => {
    const copy = join(home, "copy")
    mkdirSync(copy)
    copyFileSync(join(home, "vault.db"), join(copy, "vault.db"))
    copyFileSync(join(home, "account.key"), join(copy, "account.key"))
    truncateSync(join(copy, "vault.db"), 3000)
    const before = readFileSync(join(copy, "vault.db"))
    const result = await runCli(["daemon", "--no-mdns"], { home: copy })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/vault\.db/)
    expect(readFileSync(join(copy, "vault.db")).equals(before)).toBe(true)
    writeFileSync(join(copy, "marker"), "")
  })

  it("pages records.list with limit and cursor, in list order, keeping its place across edits; the CLI too", async () => {
    for (const title of ["page b", "page d", "page f", "page h", "page j"]) await client.call("records.create", { record: { type: "note", title } })
    const whole = await client.call("records.list", { query: "page" })
    expect(whole.map((r) => r.title)).toEqual(["page b", "page d", "page f", "page h", "page j"])
    const first = await client.call("records.list", { query: "page", limit: 2 })
    expect(first.records).toEqual(whole.slice(0, 2))
    expect(first.next).toEqual(expect.any(String))
    // Edits between pages: one before the cursor, the last record shown renamed away.
    await client.call("records.create", { record: { type: "note", title: "page a" } })
    await client.call("records.update", { id: whole[1].id, set: { title: "page z" } })
    const second = await client.call("records.list", { query: "page", limit: 2, cursor: first.next })
    expect(second.records.map((r) => r.title)).toEqual(["page f", "page h"])
    const last = await client.call("records.list", { query: "page", limit: 2, cursor: second.next })
    expect(last.records.map((r) => r.title)).toEqual(["page j", "page z"])
    expect(last.next).toBeUndefined()
    expect(await codeOf(client.call("records.list", { limit: 0 }))).toBe("INVALID_PARAMS")
    expect(await codeOf(client.call("records.list", { limit: 2, cursor: "bogus" }))).toBe("INVALID_PARAMS")
    expect(await codeOf(client.call("records.list", { cursor: first.next! } as never))).toBe("INVALID_PARAMS")

    const json = await runCli(["list", "--query", "page", "--limit", "4", "--json"], { home })
    expect(json.code).toBe(0)
    const page = JSON.parse(json.stdout) as { records: Array<{ title: string }>; next: string }
    expect(page.records.map((r) => r.title)).toEqual(["page a", "page b", "page f", "page h"])
    const text = await runCli(["list", "--query", "page", "--limit", "4", "--cursor", page.next], { home })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/page j[\s\S]*page z/)
    expect(text.stdout).not.toMatch(/page h/)
    expect(text.stderr).not.toMatch(/--cursor/)
    const more = await runCli(["list", "--query", "page", "--limit", "1"], { home })
    expect(more.stderr).toMatch(/more: lanvault list --limit 1 --cursor \S+/)
    expect((await runCli(["list", "--cursor", page.next], { home })).code).toBe(2)
  })

  it("answers records.list with rows: true as { columns, rows } (a page's records too) that read back as the object form; the typed client asks for them", async () => {
    const fields = { password: { value: "rows-secret-value", kind: "secret" as const }, user: { value: "ann ✓", kind: "text" as const } }
    for (const title of ["rows ü one", "rows two"]) await client.call("records.create", { record: { type: "login", title, fields, tags: ["t"] } })
    const request = (id: number, params: object) => `${JSON.stringify({ jsonrpc: "2.0", id, method: "records.list", params })}\n`
    const payload = request(1, { query: "rows" }) + request(2, { query: "rows", rows: true }) + request(3, { query: "rows", rows: true, limit: 1 })
    const { lines } = await rawExchange(daemon.socketPath, payload, 3)
    const results = new Map(lines.map((line) => [JSON.parse(line).id as number, JSON.parse(line).result as unknown]))
    const objects = results.get(1) as RecordSummary[]
    expect(objects.map((r) => r.title)).toEqual(["rows two", "rows ü one"])
    expect(objects[0].fields).toEqual({ password: { kind: "secret" }, user: { kind: "text", value: "ann ✓" } })
    expect(results.get(2)).toEqual({ columns: [...SUMMARY_COLUMNS], rows: expect.any(Array) })
    expect(JSON.stringify(decodeListResult(results.get(2)))).toBe(JSON.stringify(objects))
    expect(decodeListResult(results.get(3))).toEqual({ records: objects.slice(0, 1), next: expect.any(String) })
    for (const line of lines) expect(line).not.toContain("rows-secret-value")
    expect(await client.call("records.list", { query: "rows" })).toEqual(objects)
  })
})
