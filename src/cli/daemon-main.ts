import { registerDaemonCommand } from "./daemon-command.js"
import { processIo, type CliIo } from "./io.js"
import { runProgram } from "./program.js"

/**
 * `lanvault daemon` alone: what the bin runs when the command is `daemon`, so a
 * daemon that runs all day does not hold the modules of every other command
 * (about 60 of them and their packages). Same options, output and exit codes as
 * through {@link main}.
 */
export async function mainDaemon(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runProgram(argv, io, registerDaemonCommand)
}
