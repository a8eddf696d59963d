import type { Command } from "commander"
import { parseAccountKey, wipe } from "../api/public.js"
import type { CliContext } from "./context.js"
import { hostPort } from "./option-parsers.js"

interface JoinOptions {
  peer?: string
  accountKeyStdin?: boolean
  name?: string
  json?: boolean
}

/** `join`: makes this device a device of an existing account, paired by the account key. */
export function registerJoinCommand(program: Command, ctx: CliContext): void {
  program
    .command("join")
    .description("become a device of an existing account: pairs with a device whose pairing window is open (`lanvault pair` there)")
    .option("--peer <host:port>", "the device to pair with (default: find one with an open pairing window by mDNS)", hostPort)
    .option("--account-key-stdin", "read the account key as the first line of stdin (else a hidden prompt)")
    .option("--name <name>", "this device's name (default: the host name)")
    .option("--json", "print {accountId, deviceId, deviceName, hostName, code} as JSON")
    .action((options: JoinOptions, command: Command) => runJoin(ctx, command, options))
}

interface KeptVault {
  path: string
  sameAccount: boolean
  pending: boolean
}

/** The one command that brings a kept vault's records in later (undefined: nothing to bring in). */
function bringInCommand(former: KeptVault): string | undefined {
  if (!former.sameAccount || former.pending) return undefined
  return `lanvault backup restore ${shellQuote(former.path)}`
}

function printFormer(ctx: CliContext, former: KeptVault): void {
  if (former.pending) {
    ctx.print("The records this device held before the reset come into the account at the first unlock, and then sync to the other devices.")
    return
  }
  if (!former.sameAccount) {
    ctx.print(`The vault this home held (another account) is kept as an encrypted backup: ${former.path}`)
    return
  }
  ctx.print(`This device's vault from before the reset is kept as an encrypted backup: ${former.path}`)
  ctx.print("To bring its records into the account, run this once the daemon runs and the vault is unlocked (it asks for that vault's old password):")
  ctx.print(`  ${bringInCommand(former)}`)
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}

async function runJoin(ctx: CliContext, command: Command, options: JoinOptions): Promise<void> {
  const accountKey = parseAccountKey(await ctx.secrets.accountKey(options.accountKeyStdin === true))
  const { runJoin } = await import("../daemon/run-join.js")
  try {
    const onCode = (code: string, hostName: string) => {
      ctx.note(`The new device's code: ${code}\nCheck that ${hostName ? `"${hostName}"` : "the other device"} shows the same code, and confirm it there (nothing is shared before that).`)
    }
    const result = await runJoin({
      home: ctx.home(command), accountKey, peer: options.peer, name: options.name, oldPassword: (attempt) => ctx.secrets.oldPassword(attempt), onCode,
    })
    if (options.json) {
      ctx.printJson(result.former ? { ...result, former: { ...result.former, command: bringInCommand(result.former) } } : result)
      return
    }
    ctx.print(`Joined the account through "${result.hostName}", which confirmed the code ${result.code}.`)
    ctx.print(`This device is "${result.deviceName}" (${result.deviceId.slice(0, 8)}).`)
    ctx.print("Next: `lanvault daemon` (it finds the account's devices by itself), then `lanvault unlock` with the account password.")
    if (result.former) printFormer(ctx, result.former)
  } finally {
    wipe(accountKey)
  }
}
