import type { Writable } from "node:stream"

/** Exit codes of DESIGN §11. */
export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_USAGE = 2

/** Prompts a person answers on a terminal; replaceable in tests. */
export interface Prompts {
  /** Asks for a value without echoing it. */
  hidden(message: string): Promise<string>
  /** Asks a visible question (a confirmation) and returns the answer. */
  ask(message: string): Promise<string>
}

/** The process the CLI talks to: injectable so tests run `main` in-process. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  /** Terminal prompts (default: @inquirer/password and readline on stdin/stderr). */
  prompts?: Prompts
}

/** The real process's streams and environment; a reader that closes the pipe early ends the process quietly. */
export function processIo(): CliIo {
  endQuietlyOnClosedPipe()
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }
}

let pipeGuarded = false

/**
 * `lanvault list | head -2`: once `head` has read enough it closes the pipe and
 * the next write fails with EPIPE. That is a normal end, not a crash: exit 0
 * without a stack (the output the reader wanted has been delivered).
 */
function endQuietlyOnClosedPipe(): void {
  if (pipeGuarded) return
  pipeGuarded = true
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT_OK)
    throw error
  })
  process.stderr.on("error", (error: NodeJS.ErrnoException) => {
    // Nowhere left to report to; a closed stderr must not turn into a crash either.
    if (error.code !== "EPIPE") throw error
  })
}
