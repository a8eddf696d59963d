/**
 * One `lanvault daemon` inside a netns test host, for the discovery benchmark:
 * spawned with a recorded wall-clock instant, its JSON log lines kept with the
 * times pino stamped on them, its socket polled until it answers.
 */
import type { ChildProcess } from "node:child_process"
import { connect as netConnect } from "node:net"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { connect, type LanvaultClient } from "../../src/api/client.js"
import type { TestHost } from "../../test/hosts/netns.js"
import { BIN } from "../../test/e2e/helpers/cli.js"

export const PORT = 47110
const SOCKET_POLL_MS = 5
const STOP_GRACE_MS = 5_000

/** A parsed pino line: `time` is the daemon's Date.now() when it logged. */
export interface LogLine {
  time: number
  level: number
  msg: string
  fields: Record<string, unknown>
}

/** Now, in epoch milliseconds with sub-millisecond resolution (the clock pino's `time` is on). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

export class HostDaemon {
  process: ChildProcess | undefined
  /** Epoch ms at which the daemon was spawned. */
  spawnedAt = 0
  readonly logs: LogLine[] = []
  raw = ""
  private partial = ""

  constructor(
    readonly host: TestHost,
    readonly home: string,
    private readonly logLevel: string,
    /** The `lanvault` bin the daemon runs from (default: this checkout's). */
    private readonly bin: string = BIN,
  ) {}

  get socketPath(): string {
    return join(this.home, "lanvault.sock")
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.home, LANVAULT_HOME: this.home, LANVAULT_LOG_LEVEL: this.logLevel, ...extra }
  }

  /** Runs the CLI inside this host's namespace (join multicasts, so it must). */
  cli(args: string[], input?: string) {
    return this.host.run([process.execPath, BIN, ...args], { env: this.env({ LANVAULT_LOG_LEVEL: "warn" }), input, timeoutMs: 60_000 })
  }

  /** Spawns `lanvault daemon` in the namespace; returns the spawn instant (epoch ms). */
  spawn(): number {
    if (this.process) throw new Error(`${this.host.name}'s daemon is already running`)
    this.logs.length = 0
    this.raw = ""
    this.partial = ""
    this.spawnedAt = nowMs()
    const child = this.host.exec([process.execPath, this.bin, "daemon", "--port", String(PORT), "--auto-lock", "0"], { env: this.env() })
    this.process = child
    child.stdout?.on("data", (chunk: Buffer) => this.onOutput(chunk))
    child.stderr?.on("data", (chunk: Buffer) => this.onOutput(chunk))
    return this.spawnedAt
  }

  /** Polls the socket every 5 ms; resolves with the epoch ms at which a connect first succeeded. */
  async waitSocket(timeoutMs = 20_000): Promise<number> {
    const deadline = nowMs() + timeoutMs
    for (;;) {
      if (await answers(this.socketPath)) return nowMs()
      const child = this.process
      if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.host.name}'s daemon exited before its socket answered:\n${this.raw}`)
      if (nowMs() > deadline) throw new Error(`${this.host.name}'s daemon socket did not answer within ${timeoutMs} ms:\n${this.raw}`)
      await sleep(SOCKET_POLL_MS)
    }
  }

  client(): Promise<LanvaultClient> {
    return connect({ socketPath: this.socketPath, timeoutMs: 30_000 })
  }

  /** SIGTERM and wait for the exit (SIGKILL after a grace period). */
  async stop(): Promise<void> {
    const child = this.process
    this.process = undefined
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS)
    await exited
    clearTimeout(timer)
    this.flush()
  }

  /** Offset from the spawn (ms) of the first log line whose message is `msg` (and passes `where`). */
  firstLog(msg: string | RegExp, where: (line: LogLine) => boolean = () => true): number | undefined {
    const line = this.logs.find((l) => (typeof msg === "string" ? l.msg === msg : msg.test(l.msg)) && where(l))
    return line === undefined ? undefined : line.time - this.spawnedAt
  }

  /** How many log lines have message `msg`, up to epoch ms `until` when given. */
  countLogs(msg: string | RegExp, until = Infinity): number {
    return this.logs.filter((l) => l.time <= until && (typeof msg === "string" ? l.msg === msg : msg.test(l.msg))).length
  }

  private onOutput(chunk: Buffer): void {
    const text = chunk.toString()
    this.raw += text
    this.partial += text
    const lines = this.partial.split("\n")
    this.partial = lines.pop() ?? ""
    for (const line of lines) this.parse(line)
  }

  private flush(): void {
    if (this.partial) this.parse(this.partial)
    this.partial = ""
  }

  private parse(line: string): void {
    if (!line.startsWith("{")) return
    try {
      const { time, level, msg, ...fields } = JSON.parse(line) as { time: number; level: number; msg: string }
      if (typeof time === "number") this.logs.push({ time, level, msg: String(msg), fields })
    } catch {
      // not a log line
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(socketPath)
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })
}
