import type { Command } from "commander"
import type { CliContext } from "./context.js"

/** Signals that stop the demo cleanly (its daemons stopped, its homes removed). */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"]

interface DemoCommandOptions {
  keep?: boolean
}

/** `demo`: three local devices pair and sync before your eyes. */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command("demo")
    .description("start three throwaway devices on this machine and watch them pair, sync and merge a conflict (about 10 s)")
    .option("--keep", "keep the three temporary homes and print their paths (and the generated password)")
    .action((options: DemoCommandOptions) => runDemoCommand(ctx, options))
}

async function runDemoCommand(ctx: CliContext, options: DemoCommandOptions): Promise<void> {
  const { runDemo } = await import("./demo/index.js")
  const controller = new AbortController()
  const stop = () => controller.abort()
  for (const signal of STOP_SIGNALS) process.on(signal, stop)
  try {
    await runDemo(ctx.io.stdout, { keep: options.keep === true, signal: controller.signal })
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, stop)
  }
}
