import { resolve } from "node:path"
import type { Command } from "commander"
import { connect } from "../api/client.js"
import { writeKitOffline } from "../api/local.js"
import { LanvaultError } from "../errors.js"
import type { CliContext } from "./context.js"

interface KitOptions {
  out: string
  json?: boolean
}

/** `kit --out FILE.pdf`: the emergency kit of this device's account. */
export function registerKitCommand(program: Command, ctx: CliContext): void {
  program
    .command("kit")
    .description("write the emergency kit: a one-page PDF with the account key (text and QR code) to print and keep safe")
    .requiredOption("--out <file>", "the PDF to write (mode 0600)")
    .option("--json", "print {path} as JSON")
    .action(async (options: KitOptions, command: Command) => {
      const path = await writeKit(ctx, command, options.out)
      if (options.json) ctx.printJson({ path })
      else ctx.print(`Wrote the emergency kit to ${path}. Print it, keep it offline, then delete the file.`)
    })
}

/** Writes the kit through the daemon when one runs (it holds the home), else straight from the home. */
export async function writeKit(ctx: CliContext, command: Command, out: string): Promise<string> {
  const path = resolve(out)
  let client
  try {
    client = await connect({ socketPath: ctx.socketPath(command) })
  } catch (error) {
    if (!(error instanceof LanvaultError && error.code === "DAEMON_NOT_RUNNING")) throw error
    await writeKitOffline(ctx.home(command), path)
    return path
  }
  try {
    return (await client.call("account.kit", { path })).path
  } finally {
    client.close()
  }
}

/**
 * After init, revoke or reset: writes the kit to `--kit FILE` if given, else on
 * a terminal asks for a file name (Enter skips), else says how to make one.
 */
export async function offerKit(ctx: CliContext, command: Command, options: { kit?: string; json?: boolean }): Promise<void> {
  let out = options.kit
  if (out === undefined && !options.json && ctx.secrets.interactive) {
    out = (await ctx.secrets.ask("Write an emergency kit PDF to print (file name, Enter to skip): ")).trim() || undefined
  }
  if (out === undefined) {
    if (!options.json) ctx.print("Print an emergency kit with the new key: `lanvault kit --out lanvault-kit.pdf`.")
    return
  }
  const path = await writeKit(ctx, command, out)
  if (!options.json) ctx.print(`Wrote the emergency kit to ${path}. Print it, keep it offline, then delete the file.`)
}
