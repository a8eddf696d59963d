import { Argument, type Command } from "commander"
import { completionScript, SHELLS, type CompletionSpec, type Shell } from "./completion-scripts.js"
import type { CliContext } from "./context.js"

/** Options whose value is a directory. */
const DIRECTORY_OPTIONS = new Set(["--home"])

/** `completion bash|zsh|fish`: a completion script built from this very command tree. */
export function registerCompletionCommand(program: Command, ctx: CliContext): void {
  program
    .command("completion")
    .description("print a shell completion script (commands, subcommands, options and their fixed values)")
    .addArgument(new Argument("<shell>", "the shell: bash, zsh or fish").choices(SHELLS))
    .addHelpText(
      "after",
      `
Install:
  bash  lanvault completion bash > ~/.local/share/bash-completion/completions/lanvault
  zsh   lanvault completion zsh > "\${fpath[1]}/_lanvault"   (or: source <(lanvault completion zsh) after compinit)
  fish  lanvault completion fish > ~/.config/fish/completions/lanvault.fish`,
    )
    .action((shell: Shell) => {
      ctx.io.stdout.write(completionScript(shell, specOf(program)))
    })
}

/** The completion model of a commander command and everything under it. */
export function specOf(command: Command): CompletionSpec {
  const options = command.options
    .filter((option) => !option.hidden)
    .map((option) => ({
      flags: [option.short, option.long].filter((flag): flag is string => flag !== undefined),
      description: option.description,
      takesValue: option.required || option.optional,
      ...(option.argChoices ? { choices: option.argChoices } : {}),
      ...(option.long !== undefined && DIRECTORY_OPTIONS.has(option.long) ? { directory: true } : {}),
    }))
  options.push({ flags: ["-h", "--help"], description: "show help", takesValue: false })
  const first = command.registeredArguments[0]
  return {
    name: command.name(),
    description: command.description(),
    options,
    subcommands: command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden && sub.name() !== "help").map(specOf),
    ...(first?.argChoices ? { argChoices: first.argChoices } : {}),
  }
}
