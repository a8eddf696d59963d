import { spawn, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"

/** The package's bin; this file is src/cli/demo/ or dist/cli/demo/, three levels below the package root. */
export const LANVAULT_BIN = fileURLToPath(new URL("../../../bin/lanvault.js", import.meta.url))

/** How long a child gets to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000
const OUTPUT_POLL_MS = 20

/** Where and how to run one `lanvault` child. */
export interface LanvaultChildOptions {
  /** The device's home, passed as `--home` (never through the environment). */
  home: string
  /** Extra environment (LANVAULT_PASSWORD…): secrets go here or on stdin, never on argv. */
  env?: Record<string, string>
  /** Text written to the child's stdin, which is then closed. */
  input?: string
}

/** What a finished `lanvault` child printed. */
export interface LanvaultResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * A running `lanvault` child process (`node bin/lanvault.js --home HOME …`), with
 * what it printed so far.
 */
export class LanvaultChild {
  readonly process: ChildProcess
  /** Resolves with the exit code (null when killed by a signal) once the child exited. */
  readonly exited: Promise<number | null>
  private stdoutText = ""
  private stderrText = ""

  constructor(args: string[], options: LanvaultChildOptions) {
    this.process = spawn(process.execPath, [LANVAULT_BIN, "--home", options.home, ...args], {
      env: childEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    })
    this.process.stdout!.on("data", (chunk: Buffer) => (this.stdoutText += chunk.toString("utf8")))
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderrText += chunk.toString("utf8")))
    this.process.stdin!.on("error", () => {}) // a child that exits early closes its stdin: not our failure
    this.process.stdin!.end(options.input ?? "")
    this.exited = new Promise((resolve) => {
      this.process.once("error", () => resolve(null))
      this.process.once("exit", (code) => resolve(code))
    })
  }

  /** Whether the child has not exited yet. */
  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null
  }

  /** What the child wrote to stdout so far. */
  get stdout(): string {
    return this.stdoutText
  }

  /** What the child wrote to stderr so far. */
  get stderr(): string {
    return this.stderrText
  }

  /** Resolves once stdout contains `text`; fails when the child exits first or `timeoutMs` passes. */
  async waitForStdout(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.stdoutText.includes(text)) {
      if (!this.running || Date.now() > deadline) {
        const why = this.running ? `nothing after ${timeoutMs / 1000} s` : `it exited (${this.process.exitCode ?? this.process.signalCode})`
        throw new Error(`\`lanvault\` did not print ${JSON.stringify(text)}: ${why}${this.stderrText ? `: ${this.stderrText.trim()}` : ""}`)
      }
      await new Promise((resolve) => setTimeout(resolve, OUTPUT_POLL_MS))
    }
  }

  /** Everything the child printed and how it ended, once it exited. */
  async result(): Promise<LanvaultResult> {
    const code = await this.exited
    return { code, stdout: this.stdoutText, stderr: this.stderrText }
  }

  /** SIGTERM, then SIGKILL if it is still running after a grace period; resolves once it exited. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.process.kill("SIGTERM")
    const timer = setTimeout(() => this.process.kill("SIGKILL"), STOP_GRACE_MS)
    await this.exited
    clearTimeout(timer)
  }
}

/**
 * This process's environment without any LANVAULT_* variable (a LANVAULT_SOCKET or
 * LANVAULT_HOME of the person's own vault must not leak into the demo devices), plus `extra`.
 */
export function childEnv(extra: Record<string, string> = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(base)) {
    if (!name.startsWith("LANVAULT_")) env[name] = value
  }
  return { ...env, ...extra }
}
