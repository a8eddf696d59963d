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

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }
}
