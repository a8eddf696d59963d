import type { Command } from "commander"
import { registerAccountCommands, registerInitCommand } from "./account-commands.js"
import { registerAppCommand } from "./app-command.js"
import type { CliContext } from "./context.js"
import { registerDaemonCommand } from "./daemon-command.js"
import { registerDemoCommand } from "./demo-command.js"
import { registerDeviceCommands } from "./device-commands.js"
import { registerBackupCommand, registerFolderCommand } from "./folder-backup-commands.js"
import { registerJoinCommand } from "./join-command.js"
import { registerBrowserCommands } from "./browser-commands.js"
import { registerKitCommand } from "./kit-command.js"
import { registerAuditCommand } from "./audit-command.js"
import { registerPeerCommand } from "./peer-command.js"
import { processIo, type CliIo } from "./io.js"
import { buildProgramWith, runProgram } from "./program.js"
import { registerRecordCommands } from "./record-commands.js"
import { registerServiceCommand } from "./service-command.js"
import { registerSessionCommands } from "./session-commands.js"
import { registerTransferCommands } from "./transfer-commands.js"
import { registerWatchCommand } from "./watch-command.js"
import { registerCompletionCommand } from "./completion-command.js"
import { registerCopyCommand } from "./copy-command.js"
import { registerGenerateCommand } from "./generate-command.js"
import { registerLookupCommands } from "./lookup-commands.js"

export type { CliIo, Prompts } from "./io.js"

/**
 * The `lanvault` command line (DESIGN §11): parses `argv` (without `node` and the
 * script), runs the command and returns its exit code. Errors are reported on
 * stderr as `lanvault: <message>`, never with a stack or a secret.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runProgram(argv, io, registerEveryCommand)
}

/** Every command, wired to `ctx`; its output goes to ctx's streams and it throws instead of exiting. */
export function buildProgram(ctx: CliContext): Command {
  return buildProgramWith(ctx, registerEveryCommand)
}

function registerEveryCommand(program: Command, ctx: CliContext): void {
  registerInitCommand(program, ctx)
  registerJoinCommand(program, ctx)
  registerDaemonCommand(program, ctx)
  registerSessionCommands(program, ctx)
  registerRecordCommands(program, ctx)
  registerLookupCommands(program, ctx)
  registerCopyCommand(program, ctx)
  registerGenerateCommand(program, ctx)
  registerDeviceCommands(program, ctx)
  registerPeerCommand(program, ctx)
  registerBrowserCommands(program, ctx)
  registerFolderCommand(program, ctx)
  registerBackupCommand(program, ctx)
  registerAccountCommands(program, ctx)
  registerKitCommand(program, ctx)
  registerAuditCommand(program, ctx)
  registerTransferCommands(program, ctx)
  registerServiceCommand(program, ctx)
  registerDemoCommand(program, ctx)
  registerWatchCommand(program, ctx)
  registerCompletionCommand(program, ctx)
  registerAppCommand(program, ctx)
}
