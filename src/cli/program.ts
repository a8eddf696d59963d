import { readFileSync } from "node:fs"
import { Command, CommanderError } from "commander"
import { exitCodeOf, isErrorCode, type ErrorCode } from "../errors.js"
import { refuseSecretOptions } from "./argv-guard.js"
import { CliError } from "./cli-error.js"
import { CliContext } from "./context.js"
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, type CliIo } from "./io.js"

/** The package version (works from src/ and dist/). */
const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version

const DAEMON_HINT = "hint: `lanvault daemon` runs it in the foreground; `lanvault service install` runs it at every login"

const EXIT_CODES_HELP = `
Secrets never go on the command line: passwords come from a prompt, --password-stdin
or LANVAULT_PASSWORD (LANVAULT_NEW_PASSWORD for a new one); secret fields from
--secret-field NAME (a prompt, or the next stdin line).

Exit codes: 0 ok, 1 error, 2 usage, 3 vault locked, 4 daemon not running.`

/** Adds commands to the program. */
export type RegisterCommands = (program: Command, ctx: CliContext) => void

/**
 * Runs the `lanvault` program with the commands `register` adds: parses `argv`
 * (without `node` and the script), runs the command and returns its exit code.
 * Errors are reported on stderr as `lanvault: <message>`, never with a stack or a secret.
 */
export async function runProgram(argv: string[], io: CliIo, register: RegisterCommands): Promise<number> {
  const ctx = new CliContext(io)
  let running: string | undefined
  try {
    refuseSecretOptions(argv)
    const program = buildProgramWith(ctx, register)
    program.hook("preAction", (_program, action) => {
      running = commandPath(action)
    })
    await program.parseAsync(argv, { from: "user" })
    return EXIT_OK
  } catch (error) {
    return reportError(io, error, running)
  }
}

/** The root command with the global options, the commands `register` adds, wired to `ctx`: output to ctx's streams, throws instead of exiting. */
export function buildProgramWith(ctx: CliContext, register: RegisterCommands): Command {
  const program = new Command("lanvault")
    .description("An encrypted password vault kept in sync between your own devices over the local network, with no cloud.")
    .version(VERSION, "-V, --version", "print the version")
    .option("--home <dir>", "this device's vault directory (default: LANVAULT_HOME, else the platform's data directory)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, "lanvault: ")),
    })
    .showHelpAfterError("(see `lanvault --help`)")
    .addHelpText("after", EXIT_CODES_HELP)
  register(program, ctx)
  nameCommandsInErrors(program, ctx)
  return program
}

/**
 * Usage errors name the command that failed: `lanvault get: missing required
 * argument 'query'` and "(see `lanvault get --help`)", for every subcommand.
 */
function nameCommandsInErrors(command: Command, ctx: CliContext, path: string[] = []): void {
  for (const sub of command.commands) {
    const subPath = [...path, sub.name()]
    const full = ["lanvault", ...subPath].join(" ")
    sub.showHelpAfterError(`(see \`${full} --help\`)`).configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, `${full}: `)),
    })
    nameCommandsInErrors(sub, ctx, subPath)
  }
}

/** Prints `lanvault: <message>` (commander has printed its own) and picks the exit code. */
function reportError(io: CliIo, error: unknown, running?: string): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE
  if (error instanceof CliError) {
    io.stderr.write(`lanvault: ${error.message}\n`)
    return error.exitCode
  }
  const code = codeOf(error)
  if (code === "USAGE" && running !== undefined) {
    io.stderr.write(`lanvault ${running}: ${(error as Error).message}\n(see \`lanvault ${running} --help\`)\n`)
    return exitCodeOf(code)
  }
  if (code !== undefined) {
    io.stderr.write(`lanvault: ${(error as Error).message}\n`)
    if (code === "DAEMON_NOT_RUNNING") io.stderr.write(`${DAEMON_HINT}\n`)
    return exitCodeOf(code)
  }
  if (error instanceof Error && error.name === "ExitPromptError") {
    io.stderr.write("lanvault: cancelled\n")
    return EXIT_ERROR
  }
  io.stderr.write(`lanvault: ${error instanceof Error ? error.message : String(error)}\n`)
  return EXIT_ERROR
}

/** "folder add": a command's names below the root. */
function commandPath(command: Command): string {
  const names: string[] = []
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name())
  return names.join(" ")
}

/** The stable code of a LanvaultError (also one decoded from the wire). */
function codeOf(error: unknown): ErrorCode | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined
  return isErrorCode(code) ? code : undefined
}
