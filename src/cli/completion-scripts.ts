/** One command of the completion model: what a shell can offer after its name. */
export interface CompletionSpec {
  name: string
  description: string
  options: Array<{ flags: string[]; description: string; takesValue: boolean; choices?: readonly string[]; directory?: boolean }>
  subcommands: CompletionSpec[]
  /** Fixed values of its first argument (e.g. `completion bash|zsh|fish`). */
  argChoices?: readonly string[]
}

/** The shells `lanvault completion` writes for. */
export const SHELLS = ["bash", "zsh", "fish"] as const
export type Shell = (typeof SHELLS)[number]

/** The completion script for `shell`, completing commands, subcommands, options and fixed values. */
export function completionScript(shell: Shell, root: CompletionSpec): string {
  if (shell === "bash") return bashScript(root)
  if (shell === "zsh") return zshScript(root)
  return fishScript(root)
}

/** Every command with its path of names from the root ("" for the root itself). */
function walk(spec: CompletionSpec, path: string[] = []): Array<{ path: string[]; spec: CompletionSpec }> {
  return [{ path, spec }, ...spec.subcommands.flatMap((sub) => walk(sub, [...path, sub.name]))]
}

function bashScript(root: CompletionSpec): string {
  const cases = walk(root).map(({ path, spec }) => {
    const words = [...spec.subcommands.map((sub) => sub.name), ...(spec.argChoices ?? []), ...spec.options.flatMap((o) => o.flags)]
    const valued = spec.options.filter((o) => o.takesValue)
    const values = valued.map((o) => `      ${o.flags.join("|")}) COMPREPLY=($(compgen ${o.choices ? `-W '${o.choices.join(" ")}'` : o.directory ? "-d" : "-f"} -- "$cur")); return ;;`)
    return [`    '${path.join(" ")}')`, "      case \"$prev\" in", ...values, "      esac", `      COMPREPLY=($(compgen -W '${words.join(" ")}' -- "$cur")) ;;`].join("\n")
  })
  const descend = walk(root)
    .filter(({ spec }) => spec.subcommands.length > 0)
    .map(({ path, spec }) => `      '${path.join(" ")}') case "$word" in ${spec.subcommands.map((s) => s.name).join("|")}) path="\${path:+$path }$word" ;; esac ;;`)
  const valuedFlags = [...new Set(walk(root).flatMap(({ spec }) => spec.options.filter((o) => o.takesValue).flatMap((o) => o.flags)))]
  return `# bash completion for ${root.name} (\`${root.name} completion bash\`): source it from ~/.bashrc, or save it as
# ~/.local/share/bash-completion/completions/${root.name}
_${root.name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      ${valuedFlags.join("|")}) ((i++)); continue ;;
      -*) continue ;;
    esac
    case "$path" in
${descend.join("\n")}
    esac
  done
  case "$path" in
${cases.join("\n")}
  esac
}
complete -o default -F _${root.name} ${root.name}
`
}

function zshScript(root: CompletionSpec): string {
  const functions = walk(root).map(({ path, spec }) => {
    const fn = `_${[root.name, ...path].join("_").replace(/[^A-Za-z0-9_]/g, "_")}`
    const options = spec.options.map((o) => zshOption(o))
    if (spec.subcommands.length === 0) {
      const arg = spec.argChoices ? ` '1:value:(${spec.argChoices.join(" ")})'` : ` '*:argument:_default'`
      return `${fn}() {\n  _arguments -s ${options.join(" ")}${arg}\n}`
    }
    const described = spec.subcommands.map((sub) => `    '${zshQuote(sub.name)}:${zshQuote(sub.description)}'`)
    const dispatch = spec.subcommands.map((sub) => `        ${sub.name}) _${[root.name, ...path, sub.name].join("_").replace(/[^A-Za-z0-9_]/g, "_")} ;;`)
    return `${fn}() {
  local curcontext="$curcontext" state line
  local -a commands
  commands=(
${described.join("\n")}
  )
  _arguments -C -s ${options.join(" ")} '1: :->command' '*:: :->args'
  case $state in
    command) _describe -t commands 'command' commands ;;
    args)
      case $line[1] in
${dispatch.join("\n")}
      esac ;;
  esac
}`
  })
  return `#compdef ${root.name}
# zsh completion for ${root.name} (\`${root.name} completion zsh\`): save it as _${root.name} in a directory on
# $fpath, or source it from ~/.zshrc after compinit
${functions.join("\n\n")}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _${root.name} "$@"; else compdef _${root.name} ${root.name}; fi
`
}

function zshOption(option: CompletionSpec["options"][number]): string {
  const description = zshQuote(option.description).replace(/[[\]]/g, "\\$&")
  const value = option.takesValue ? `:value:${option.choices ? `(${option.choices.join(" ")})` : option.directory ? "_files -/" : "_default"}` : ""
  if (option.flags.length === 1) return `'${option.flags[0]}[${description}]${value}'`
  return `'(${option.flags.join(" ")})'{${option.flags.join(",")}}'[${description}]${value}'`
}

function zshQuote(text: string): string {
  return text.replace(/'/g, "'\\''").replace(/:/g, "\\:")
}

function fishScript(root: CompletionSpec): string {
  const lines = [
    `# fish completion for ${root.name} (\`${root.name} completion fish\`): save it as`,
    `# ~/.config/fish/completions/${root.name}.fish`,
    `complete -c ${root.name} -f`,
  ]
  for (const { path, spec } of walk(root)) {
    const condition = fishCondition(path, spec)
    for (const sub of spec.subcommands) lines.push(`complete -c ${root.name} -n '${condition}' -a ${sub.name} -d '${fishQuote(sub.description)}'`)
    if (spec.argChoices) lines.push(`complete -c ${root.name} -n '${condition}' -a '${spec.argChoices.join(" ")}'`)
    for (const option of spec.options) {
      const flags = option.flags.map((flag) => (flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`)).join(" ")
      const value = option.takesValue ? (option.choices ? ` -x -a '${option.choices.join(" ")}'` : option.directory ? " -x -a '(__fish_complete_directories)'" : " -r -F") : ""
      lines.push(`complete -c ${root.name} -n '${condition}' ${flags}${value} -d '${fishQuote(option.description)}'`)
    }
  }
  return `${lines.join("\n")}\n`
}

/** fish: the path's words were typed and, for a command with subcommands, none of those yet. */
function fishCondition(path: string[], spec: CompletionSpec): string {
  const seen = path.length === 0 ? ["__fish_use_subcommand"] : path.map((word) => `__fish_seen_subcommand_from ${word}`)
  if (path.length > 0 && spec.subcommands.length > 0) seen.push(`not __fish_seen_subcommand_from ${spec.subcommands.map((sub) => sub.name).join(" ")}`)
  return seen.join("; and ")
}

function fishQuote(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")
}
