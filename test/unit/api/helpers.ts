import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { createConnection, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { onTestFinished } from "vitest"
import { ApiServer, type ApiServerDeps, type ApiServerOptions } from "../../../src/api/index.js"
import type { ApiLogger } from "../../../src/api/types.js"

const LINE_WAIT_MS = 5_000

/** A fresh temp dir, removed when the test ends; the socket goes in a `run/` subdir the server creates. */
export function tempSocketPath(): { dir: string; socketPath: string } {
  const dir = mkdtempSync(join(tmpdir(), "lv-api-"))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return { dir, socketPath: join(dir, "run", "lanvault.sock") }
}

/** Leaves a socket file nobody listens on, as a crashed daemon would: a process binds it and is killed. */
export async function makeStaleSocket(socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 })
  const script = `require("node:net").createServer().listen(${JSON.stringify(socketPath)}, () => console.log("up"))`
  const child = spawn(process.execPath, ["-e", script])
  onTestFinished(() => void child.kill("SIGKILL"))
  await new Promise((resolve) => child.stdout.once("data", resolve))
  child.kill("SIGKILL")
  await new Promise((resolve) => child.once("exit", resolve))
}

/** A started server, stopped when the test ends. */
export async function startServer(deps: Partial<ApiServerDeps> = {}, options: Partial<ApiServerOptions> = {}): Promise<{ server: ApiServer; socketPath: string; dir: string }> {
  const { dir, socketPath } = tempSocketPath()
  const server = new ApiServer({ handlers: {}, ...deps }, { socketPath, ...options })
  await server.start()
  onTestFinished(() => server.stop())
  return { server, socketPath, dir }
}

/** A logger that records every line, to check what reaches the log. */
export function recordingLogger(): ApiLogger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = []
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields })
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }
}

/** A bare socket speaking lines, to send what the typed client never would. */
export class RawClient {
  private buffer = ""
  private readonly lines: string[] = []
  private waiters: Array<() => void> = []
  closed = false

  private constructor(readonly socket: Socket) {
    socket.setEncoding("utf8")
    socket.on("data", (text: string) => {
      this.buffer += text
      let newline = this.buffer.indexOf("\n")
      while (newline !== -1) {
        this.lines.push(this.buffer.slice(0, newline))
        this.buffer = this.buffer.slice(newline + 1)
        newline = this.buffer.indexOf("\n")
      }
      this.wake()
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      this.closed = true
      this.wake()
    })
  }

  static async open(socketPath: string): Promise<RawClient> {
    const socket = createConnection(socketPath)
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve)
      socket.once("error", reject)
    })
    const client = new RawClient(socket)
    onTestFinished(() => void socket.destroy())
    return client
  }

  send(text: string): void {
    this.socket.write(text)
  }

  /** The next line from the server, parsed. */
  async next(): Promise<any> {
    await this.until(() => this.lines.length > 0 || this.closed)
    const line = this.lines.shift()
    if (line === undefined) throw new Error("connection closed before a line arrived")
    return JSON.parse(line)
  }

  /** Sends one request line and returns the next line. */
  async request(payload: unknown): Promise<any> {
    this.send(`${typeof payload === "string" ? payload : JSON.stringify(payload)}\n`)
    return this.next()
  }

  async waitClosed(): Promise<void> {
    await this.until(() => this.closed)
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }

  private async until(ready: () => boolean): Promise<void> {
    const deadline = Date.now() + LINE_WAIT_MS
    while (!ready()) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the server")
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
}
