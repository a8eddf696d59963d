import type { Command } from "commander"
import { GENERATE_LIMITS } from "../api/protocol.js"
import type { CliContext } from "./context.js"
import { integerIn } from "./option-parsers.js"
import { generatorParams } from "./record-input.js"

interface GenerateOptions {
  length?: number
  symbols?: boolean
  digits?: boolean
  words?: number
  separator?: string
  json?: boolean
}

/** The generator options `generate` and `add`/`edit` (for --generate) share. */
export function withGeneratorOptions(command: Command, what = "generated passwords"): Command {
  const L = GENERATE_LIMITS
  return command
    .option("--length <n>", `length of ${what} (default ${L.defaultLength}; ${L.minLength} to ${L.maxLength})`, integerIn(L.minLength, L.maxLength))
    .option("--no-symbols", `${what} without symbols (letters and digits only)`)
    .option("--no-digits", `${what} without digits`)
    .option("--words <n>", `a passphrase of N words from the EFF long word list instead (${L.minWords} to ${L.maxWords}; ${L.defaultWords} give about 77 bits)`, integerIn(L.minWords, L.maxWords))
    .option("--separator <c>", `between passphrase words (default "${L.defaultSeparator}", at most ${L.maxSeparatorChars} characters)`)
}

/** `generate`: a random password or passphrase, from the daemon's generator (the one desktop apps use). */
export function registerGenerateCommand(program: Command, ctx: CliContext): void {
  const generate = program
    .command("generate")
    .description("print a random password, or a passphrase with --words (nothing is stored)")
  withGeneratorOptions(generate)
    .option("--json", "print {value, kind, entropyBits} as JSON")
    .action((options: GenerateOptions, command: Command) => runGenerate(ctx, command, options))
}

async function runGenerate(ctx: CliContext, command: Command, options: GenerateOptions): Promise<void> {
  const params = generatorParams(options)
  const result = await ctx.withClient(command, (client) => client.call("generate", params))
  if (options.json) ctx.printJson(result)
  else ctx.io.stdout.write(`${result.value}\n`)
}
