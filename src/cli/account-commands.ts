import { existsSync } from "node:fs"
import type { Command } from "commander"
import { homePaths } from "../api/public.js"
import { connect } from "../api/client.js"
import { createAccount, resetAccountOffline } from "../api/local.js"
import { LanvaultError } from "../errors.js"
import { printAccountKey } from "./account-key-output.js"
import { usageError } from "./cli-error.js"
import type { CliContext } from "./context.js"
import { offerKit } from "./kit-command.js"

const RESET_EXPLANATION = [
  "lanvault reset wipes this device's vault and makes a new account key and a new password.",
  "The account id stays, but every other device is refused until it runs `lanvault join` with the new key;",
  "whatever only they hold comes back when they join again. Use it when the password or the account key is lost.",
].join("\n")

const KIT_HELP = "also write the emergency kit PDF (account key as text and QR code) to this file"
const ALLOW_WEAK_HELP = "keep a password the strength estimate calls too easy to guess"

interface NewPasswordFlags {
  passwordStdin?: boolean
  allowWeak?: boolean
  json?: boolean
}

interface InitOptions extends NewPasswordFlags {
  name?: string
  kit?: string
}

type PasswdOptions = NewPasswordFlags

interface ResetOptions extends NewPasswordFlags {
  yes?: boolean
  kit?: string
}

/** `init`: creates the account on its first device. */
export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description("create a new account on this device; prints the account key (once) and its QR code")
    .option("--name <name>", "this device's name (default: the host name)")
    .option("--password-stdin", "read the new account password as the first line of stdin (else LANVAULT_PASSWORD, else a prompt)")
    .option("--allow-weak", ALLOW_WEAK_HELP)
    .option("--json", "print {accountKey, accountId, deviceId} as JSON (no QR code)")
    .option("--kit <file>", KIT_HELP)
    .option("--qr", "print the key's QR code even when stdout is not a terminal (without colours)")
    .action((options: InitOptions, command: Command) => runInit(ctx, command, options))
}

/** `passwd`, `reset`: the account's password and key (DESIGN §2). */
export function registerAccountCommands(program: Command, ctx: CliContext): void {
  program
    .command("passwd")
    .description("change the account password (other devices take it when they sync; records are untouched)")
    .option("--password-stdin", "read the current password, then the new one, as lines of stdin (else LANVAULT_PASSWORD and LANVAULT_NEW_PASSWORD, else prompts)")
    .option("--allow-weak", ALLOW_WEAK_HELP)
    .option("--json", "print the result as JSON")
    .action((options: PasswdOptions, command: Command) => runPasswd(ctx, command, options))
  program
    .command("reset")
    .description("wipe this device's vault and make a new account key and password (forgotten password or lost key)")
    .option("--yes", "do not ask for confirmation (needed when stdin is not a terminal)")
    .option("--password-stdin", "read the new password as the first line of stdin (else LANVAULT_NEW_PASSWORD, else a prompt)")
    .option("--allow-weak", ALLOW_WEAK_HELP)
    .option("--json", "print {accountKey, accountId} as JSON (no QR code)")
    .option("--kit <file>", KIT_HELP)
    .option("--qr", "print the key's QR code even when stdout is not a terminal (without colours)")
    .action((options: ResetOptions, command: Command) => runReset(ctx, command, options))
}

async function runInit(ctx: CliContext, command: Command, options: InitOptions): Promise<void> {
  const home = ctx.home(command)
  // Checked before the password is typed; createAccount checks again under its own rules.
  if (existsSync(homePaths(home).accountKey)) {
    throw new LanvaultError("ACCOUNT_EXISTS", `${home} already holds an account: use another --home, or \`lanvault reset\` to start over`)
  }
  const password = await ctx.secrets.password({ label: "account password", envVar: "LANVAULT_PASSWORD", fromStdin: options.passwordStdin === true, isNew: true })
  const hint = await ctx.secrets.hint(password)
  const account = await createAccount({ home, name: options.name, password, ...newPasswordParams(options, hint) })
  if (options.json) {
    ctx.printJson({ accountKey: account.accountKey, accountId: account.accountId, deviceId: account.deviceId })
    await offerKit(ctx, command, options)
    return
  }
  await printAccountKey(ctx, account.accountKey, `Created a new account on this device ("${account.deviceName}", in ${home}). Your account key:`, command)
  await offerKit(ctx, command, options)
  ctx.print("\nNext: start the daemon with `lanvault daemon` (or `lanvault service install` to run it at login), then `lanvault unlock`.")
}

async function runPasswd(ctx: CliContext, command: Command, options: PasswdOptions): Promise<void> {
  const fromStdin = options.passwordStdin === true
  const result = await ctx.withClient(command, async (client) => {
    const current = await ctx.secrets.password({ label: "current account password", envVar: "LANVAULT_PASSWORD", fromStdin })
    const next = await ctx.secrets.password({ label: "new account password", envVar: "LANVAULT_NEW_PASSWORD", fromStdin, isNew: true })
    if (next === current) throw usageError("the new password is the same as the current one: nothing was changed")
    const hint = await ctx.secrets.hint(next)
    return client.call("account.changePassword", { old: current, new: next, ...newPasswordParams(options, hint) })
  })
  if (options.json) ctx.printJson(result)
  else ctx.print(`Password changed (keyset version ${result.keysetVersion}). Your other devices take the new password when they next sync; the account key is unchanged.`)
}

async function runReset(ctx: CliContext, command: Command, options: ResetOptions): Promise<void> {
  if (options.yes !== true) ctx.note(RESET_EXPLANATION)
  await ctx.secrets.confirm("Wipe this device's vault and make a new account key?", { yes: options.yes })
  const password = await ctx.secrets.password({ label: "new account password", envVar: "LANVAULT_NEW_PASSWORD", fromStdin: options.passwordStdin === true, isNew: true })
  const hint = await ctx.secrets.hint(password)
  const result = await resetAccount(ctx, command, { password, ...newPasswordParams(options, hint) })
  if (options.json) {
    ctx.printJson(result)
    await offerKit(ctx, command, options)
    return
  }
  await printAccountKey(ctx, result.accountKey, "This device's vault was reset. Your NEW account key (the old one no longer works):", command)
  await offerKit(ctx, command, options)
  ctx.print("\nOn every other device, run `lanvault join --account-key-stdin` with this new key.")
}

/** Resets through the daemon when one runs (it holds the home), else directly on disk. */
async function resetAccount(ctx: CliContext, command: Command, params: { password: string; allowWeak?: boolean; hint?: string }): Promise<{ accountKey: string; accountId: string }> {
  let client
  try {
    client = await connect({ socketPath: ctx.socketPath(command) })
  } catch (error) {
    if (!(error instanceof LanvaultError && error.code === "DAEMON_NOT_RUNNING")) throw error
    return resetAccountOffline({ home: ctx.home(command), ...params })
  }
  try {
    return await client.call("account.reset", params)
  } finally {
    client.close()
  }
}

/** `allowWeak` and `hint` only when given, so the request carries nothing it need not. */
function newPasswordParams(options: NewPasswordFlags, hint: string | undefined): { allowWeak?: true; hint?: string } {
  return { ...(options.allowWeak === true ? { allowWeak: true as const } : {}), ...(hint === undefined ? {} : { hint }) }
}
