import type { Command } from "commander"
import { loadWebApp } from "../api/local.js"
import type { CliContext } from "./context.js"
import { integerIn } from "./option-parsers.js"

/** Signals that stop the app server normally (exit 0). */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM"]

interface AppCommandOptions {
  open: boolean
  port?: number
}

/** `app`: serves the lanvault window on 127.0.0.1 and opens it in the browser (DESIGN §13). */
export function registerAppCommand(program: Command, ctx: CliContext): void {
  program
    .command("app")
    .description("open lanvault in your browser: a local page on 127.0.0.1 that talks to this device's daemon (first line: its sign-in address, valid once)")
    .option("--no-open", "print the address only; do not start a browser")
    .option("--port <n>", "TCP port on 127.0.0.1 (default: a free one)", integerIn(0, 65_535))
    .action((options: AppCommandOptions, command: Command) => runApp(ctx, command, options))
}

async function runApp(ctx: CliContext, command: Command, options: AppCommandOptions): Promise<void> {
  const { AppServer, openInBrowser } = await loadWebApp()
  const server = new AppServer({ socketPath: ctx.socketPath(command), port: options.port })
  await server.start()
  const url = server.signInUrl!
  // The first stdout line is the contract: scripts and tests read the address from it.
  ctx.print(url)
  if (options.open && !openInBrowser(url)) ctx.note("could not start a browser: open the address above yourself")
  ctx.note("lanvault app is running (Ctrl-C to stop); the address works once")
  await new Promise<void>((resolve) => {
    const stop = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, stop)
      resolve()
    }
    for (const signal of STOP_SIGNALS) process.on(signal, stop)
  })
  await server.stop()
}
