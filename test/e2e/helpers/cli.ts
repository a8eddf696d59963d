import { spawn, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { connect as netConnect, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The built CLI, exactly what `npx lanvault` runs (npm test builds it first). */
export const BIN = fileURLToPath(new URL("../../../bin/lanvault.js", import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** A fresh home in a temp dir; remove it with the returned function. */
export function tempHome(prefix = "lanvault-e2e-"): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix))
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true, maxRetries: 5 }) }
}

/** Runs `lanvault ARGS` with a clean environment plus `env`, feeding `input` on stdin. */
export function runCli(args: string[], options: { home: string; env?: Record<string, string>; input?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: baseEnv(options.home, options.env),
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, stdout, stderr })
    })
    child.stdin.end(options.input ?? "")
  })
}

export interface DaemonProcess {
  process: ChildProcess
  socketPath: string
  output: () => string
  /** SIGTERM, then the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/**
 * Starts `lanvault daemon` and waits until its socket answers; on a free port
 * (`--port 0`) unless `args` name one. Without `mdns: true`
 * it runs with `--no-mdns`: tests on loopback must never multicast on the host's
 * real network (mDNS is tested inside network namespaces, test/hosts). The socket
 * is tried every `pollMs` (50 ms; the bench, which times starts, uses less).
 */
export async function startDaemon(options: { home: string; args?: string[]; env?: Record<string, string>; mdns?: boolean; nodeArgs?: string[]; pollMs?: number }): Promise<DaemonProcess> {
  const socketPath = join(options.home, "lanvault.sock")
  const mdns = options.mdns ? [] : ["--no-mdns"]
  // Test files run in parallel: without a --port of their own, daemons would race for 47110.
  const port = (options.args ?? []).some((arg) => arg === "--port" || arg.startsWith("--port=")) ? [] : ["--port", "0"]
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, "daemon", ...mdns, ...port, ...(options.args ?? [])], {
    env: baseEnv(options.home, options.env),
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout!.on("data", (chunk) => (output += chunk))
  child.stderr!.on("data", (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const deadline = Date.now() + 15_000
  while (!(await answers(socketPath))) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}: ${output}`)
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`daemon did not start: ${output}`)
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50))
  }
  return {
    process: child,
    socketPath,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

function answers(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false)
  return new Promise((resolve) => {
    const socket = netConnect(socketPath)
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })
}

function baseEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANVAULT_HOME: home,
    LANVAULT_LOG_LEVEL: "warn",
    ...extra,
  }
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
    })
  })
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Starts `lanvault ARGS` and returns it running, with its output so far. */
export function spawnCli(args: string[], options: { home: string; env?: Record<string, string>; input?: string }): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(options.home, options.env), stdio: ["pipe", "pipe", "pipe"] })
  let output = ""
  child.stdout!.on("data", (chunk) => (output += chunk))
  child.stderr!.on("data", (chunk) => (output += chunk))
  child.stdin!.end(options.input ?? "")
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}
