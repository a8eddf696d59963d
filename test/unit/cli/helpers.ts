import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type Server, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { PassThrough, Writable } from "node:stream"
import { encodeError, encodeResult, methodNotFound, parseRequest } from "../../../src/api/rpc-codec.js"
import { main, type Prompts } from "../../../src/cli/main.js"
import { LanvaultError } from "../../../src/errors.js"

/** A handler of the fake daemon: returns the result, or throws a LanvaultError. */
export type FakeHandler = (params: Record<string, unknown>) => unknown

/** A method call the fake daemon received. */
export interface FakeCall {
  method: string
  params: Record<string, unknown>
}

/** A Unix-socket JSON-RPC server speaking the real wire format with a table of fake handlers. */
export interface FakeDaemon {
  home: string
  socketPath: string
  calls: FakeCall[]
  handlers: Record<string, FakeHandler>
  close(): Promise<void>
}

/** A fresh temp dir; remove it with the returned function. */
export function tempDir(prefix = "lv-cli-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Starts a fake daemon listening at `<home>/lanvault.sock` (where the CLI looks for it). */
export async function startFakeDaemon(home: string, handlers: Record<string, FakeHandler> = {}): Promise<FakeDaemon> {
  const socketPath = join(home, "lanvault.sock")
  const calls: FakeCall[] = []
  const sockets = new Set<Socket>()
  const fake: FakeDaemon = { home, socketPath, calls, handlers, close: () => closeServer(server, sockets) }
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    createInterface({ input: socket }).on("line", (line) => socket.write(`${answer(fake, line)}\n`))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(socketPath, () => resolve())
  })
  return fake
}

function answer(fake: FakeDaemon, line: string): string {
  const parsed = parseRequest(line)
  if (!parsed.ok) return encodeError(parsed.id, parsed.error)
  const { id, method } = parsed.request
  const params = (parsed.request.params ?? {}) as Record<string, unknown>
  fake.calls.push({ method, params })
  const handler = fake.handlers[method]
  if (handler === undefined) return encodeError(id ?? null, methodNotFound(method))
  try {
    return encodeResult(id ?? null, handler(params))
  } catch (error) {
    if (error instanceof LanvaultError) return encodeError(id ?? null, error)
    throw error
  }
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy()
  return new Promise((resolve) => server.close(() => resolve()))
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  home: string
  /** Text on stdin (ended after it). */
  stdin?: string
  /** Pretend stdin is a terminal. */
  tty?: boolean
  env?: Record<string, string>
  prompts?: Prompts
}

/** Runs `main(args)` in-process with fake streams, a clean environment and `home`. */
export async function runCli(args: string[], options: RunOptions): Promise<RunResult> {
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty === true })
  stdin.end(options.stdin ?? "")
  const stdout = collector()
  const stderr = collector()
  const env = { HOME: options.home, LANVAULT_HOME: options.home, PATH: "", ...options.env }
  const code = await main(args, { stdin, stdout: stdout.stream, stderr: stderr.stream, env, prompts: options.prompts })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

/** A writable that keeps what is written, synchronously (nothing is still in flight when main returns). */
function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk))
      callback()
    },
  })
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") }
}

/** Scripted terminal prompts: answers handed out in order; what was asked is recorded. */
export function scriptedPrompts(hidden: string[], asked: string[] = []): Prompts & { questions: string[] } {
  const questions: string[] = []
  return {
    questions,
    hidden: async (message) => {
      questions.push(message)
      const next = hidden.shift()
      if (next === undefined) throw new Error(`unexpected hidden prompt: ${message}`)
      return next
    },
    ask: async (message) => {
      questions.push(message)
      const next = asked.shift()
      if (next === undefined) throw new Error(`unexpected question: ${message}`)
      return next
    },
  }
}
