import { createInterface } from "node:readline/promises"
import { LanvaultError } from "../errors.js"
import { CliError, usageError } from "./cli-error.js"
import type { CliIo, Prompts } from "./io.js"
import { StdinLines } from "./stdin-lines.js"

/** Shortest account password accepted (the daemon enforces the same minimum). */
export const MIN_PASSWORD_CHARS = 8
/** How many times a person may retype a new password that is too short or does not match. */
const NEW_PASSWORD_ATTEMPTS = 3

/** Where a password may come from (DESIGN §11). */
export interface PasswordRequest {
  /** What is asked, in prompts and messages: "account password", "new account password". */
  label: string
  /** The environment variable that may hold it. */
  envVar: "LANVAULT_PASSWORD" | "LANVAULT_NEW_PASSWORD" | "LANVAULT_IMPORT_PASSWORD" | "LANVAULT_EXPORT_PASSWORD"
  /** `--password-stdin` was given: the next stdin line holds it. */
  fromStdin: boolean
  /** A password being chosen: prompted twice and at least {@link MIN_PASSWORD_CHARS} long. */
  isNew?: boolean
}

/**
 * Every secret one invocation reads: passwords, secret fields, confirmations.
 * Sources in order: environment variable, stdin line, hidden prompt (only on a
 * terminal). Values are never printed and never put in an error message.
 */
export class SecretReader {
  private lines: StdinLines | undefined
  private linesRead = 0
  private prompts: Prompts | undefined

  constructor(private readonly io: CliIo) {}

  /** Whether stdin is a terminal (prompts are possible). */
  get interactive(): boolean {
    return this.io.stdin.isTTY === true
  }

  /** Reads a password from its variable, stdin or a prompt; refuses an empty or (new) too short one. */
  async password(request: PasswordRequest): Promise<string> {
    const value = await this.readPassword(request)
    const problem = request.isNew ? passwordProblem(value, request.label) : value === "" ? `the ${request.label} is empty` : undefined
    if (problem !== undefined) throw usageError(problem)
    return value
  }

  private async readPassword(request: PasswordRequest): Promise<string> {
    const fromEnv = this.io.env[request.envVar]
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv
    if (request.fromStdin) return this.requireLine(`the ${request.label}`)
    if (!this.interactive) {
      throw usageError(`no ${request.label}: set ${request.envVar}, or pass --password-stdin and write it as a line of stdin (stdin is not a terminal, so there is no prompt)`)
    }
    if (request.isNew) return this.promptNewPassword(request.label)
    return this.terminal().hidden(`${capitalize(request.label)}:`)
  }

  /**
   * The optional password hint for a new password: LANVAULT_HINT (set and empty
   * means none), else a question on a terminal (Enter for none), else none.
   * Refuses, before anything is sent, a hint that contains the password.
   */
  async hint(password: string): Promise<string | undefined> {
    const fromEnv = this.io.env.LANVAULT_HINT
    const typed = fromEnv !== undefined ? fromEnv
      : this.interactive ? await this.terminal().ask("Password hint, shown after 3 wrong passwords (optional, Enter for none): ")
      : ""
    const hint = typed.trim()
    if (hint === "") return undefined
    if (hint.toLocaleLowerCase().includes(password.toLocaleLowerCase())) {
      throw usageError("the password hint contains the password itself: write something only you can connect to it")
    }
    return hint
  }

  /**
   * The old password of the vault a home held before `join` (issue 11 item 2):
   * LANVAULT_OLD_PASSWORD, else a hidden prompt on a terminal (Enter for none),
   * else none. A wrong LANVAULT_OLD_PASSWORD is refused (WRONG_PASSWORD) before
   * anything changes: a script must not lose the records silently.
   */
  async oldPassword(attempt: number): Promise<string | undefined> {
    const fromEnv = this.io.env.LANVAULT_OLD_PASSWORD
    if (fromEnv !== undefined && fromEnv !== "") {
      if (attempt > 1) throw new LanvaultError("WRONG_PASSWORD", "LANVAULT_OLD_PASSWORD does not open the vault this home holds: nothing was changed (unset it to keep that vault only as a backup)")
      return fromEnv
    }
    if (!this.interactive) return undefined
    if (attempt > 1) this.io.stderr.write("That password does not open it; try again.\n")
    else this.io.stderr.write("This home holds a vault from before. Its password brings its records into the account at the first unlock (Enter to skip: it is kept as an encrypted backup).\n")
    const typed = await this.terminal().hidden("Password of the vault from before (Enter to skip):")
    return typed === "" ? undefined : typed
  }

  /** The account key for `join`: the next stdin line with --account-key-stdin (hidden when stdin is a terminal), else a hidden prompt. */
  async accountKey(fromStdin: boolean): Promise<string> {
    // A terminal would echo a line typed for --account-key-stdin: read it hidden instead.
    if (fromStdin && this.interactive) return this.terminal().hidden("Account key (LV1-…, hidden):")
    if (fromStdin) return this.requireLine("the account key")
    if (!this.interactive) throw usageError("no account key: pass --account-key-stdin and write it as the first line of stdin")
    return this.terminal().hidden("Account key (LV1-…):")
  }

  /** A `--secret-field` value: a hidden prompt on a terminal, else the next stdin line. */
  async secretField(name: string): Promise<string> {
    const value = this.interactive
      ? await this.terminal().hidden(`Value of "${name}" (hidden):`)
      : await this.requireLine(`secret field "${name}" (stdin is not a terminal: write one line per --secret-field, in order)`)
    if (value === "") throw usageError(`the value of secret field "${name}" is empty`)
    return value
  }

  /** Asks a plain (not hidden) question on the terminal. */
  async ask(question: string): Promise<string> {
    return this.terminal().ask(question)
  }

  /**
   * A yes/no question a script may answer too: a prompt on a terminal, else the
   * question on stderr and the next stdin line as the answer (none: no).
   */
  async yesNo(question: string): Promise<boolean> {
    let answer: string | undefined
    if (this.interactive) answer = await this.terminal().ask(`${question} [y/N] `)
    else {
      this.io.stderr.write(`${question} [y/N] `)
      this.lines ??= new StdinLines(this.io.stdin)
      answer = await this.lines.next()
      this.io.stderr.write(`${answer ?? ""}\n`)
    }
    return /^y(es)?$/i.test((answer ?? "").trim())
  }

  /** Asks to confirm `question` on a terminal; without one, `--yes` must have been given. */
  async confirm(question: string, options: { yes: boolean | undefined }): Promise<void> {
    if (options.yes === true) return
    if (!this.interactive) throw usageError("confirm with --yes (stdin is not a terminal, so there is no prompt)")
    const answer = await this.terminal().ask(`${question} [y/N] `)
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError("cancelled: nothing was changed")
  }

  /** Prompts for a new password twice until both match and it is long enough. */
  private async promptNewPassword(label: string): Promise<string> {
    const prompts = this.terminal()
    for (let attempt = 1; ; attempt++) {
      const first = await prompts.hidden(`${capitalize(label)} (at least ${MIN_PASSWORD_CHARS} characters):`)
      let problem = passwordProblem(first, label)
      if (problem === undefined && (await prompts.hidden(`Repeat the ${label}:`)) !== first) problem = "the two entries differ"
      if (problem === undefined) return first
      if (attempt >= NEW_PASSWORD_ATTEMPTS) throw usageError(`${problem}: nothing was changed`)
      this.io.stderr.write(`${problem}; try again.\n`)
    }
  }

  private async requireLine(what: string): Promise<string> {
    this.lines ??= new StdinLines(this.io.stdin)
    const line = await this.lines.next()
    if (line === undefined) throw usageError(`stdin ended before line ${this.linesRead + 1}, expected to hold ${what}`)
    this.linesRead++
    return line
  }

  private terminal(): Prompts {
    this.prompts ??= this.io.prompts ?? terminalPrompts(this.io)
    return this.prompts
  }
}

/** Refuses a new password that is empty or too short (usage error, exit 2). */
export function checkNewPassword(password: string, label = "account password"): void {
  const problem = passwordProblem(password, label)
  if (problem !== undefined) throw usageError(problem)
}

function passwordProblem(password: string, label: string): string | undefined {
  if (password === "") return `the ${label} is empty`
  if ([...password].length < MIN_PASSWORD_CHARS) return `the ${label} must have at least ${MIN_PASSWORD_CHARS} characters`
  return undefined
}

/** Prompts on the real terminal: @inquirer/password for hidden input, readline for questions. */
function terminalPrompts(io: CliIo): Prompts {
  return {
    hidden: async (message) => {
      const { default: password } = await import("@inquirer/password")
      return password({ message, mask: true, toggleMask: false }, { input: io.stdin, output: io.stderr })
    },
    ask: async (message) => {
      const rl = createInterface({ input: io.stdin, output: io.stderr })
      try {
        return await rl.question(message)
      } finally {
        rl.close()
      }
    },
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
