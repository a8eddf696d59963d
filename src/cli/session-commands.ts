import type { Command } from "commander"
import type { StatusResult } from "../api/protocol.js"
import type { CliContext } from "./context.js"
import { formatDuration, formatPairs, formatTime, shortId } from "./format.js"

interface JsonOption {
  json?: boolean
}

interface UnlockOptions extends JsonOption {
  passwordStdin?: boolean
}

/** `status`, `unlock`, `lock`: the running daemon and whether its vault is open. */
export function registerSessionCommands(program: Command, ctx: CliContext): void {
  program
    .command("status")
    .description("show the daemon, this device, and whether the vault is locked")
    .option("--json", "print the status as JSON")
    .action((options: JsonOption, command: Command) => runStatus(ctx, command, options))
  program
    .command("unlock")
    .description("unlock the vault with the account password")
    .option("--password-stdin", "read the password as the first line of stdin (else LANVAULT_PASSWORD, else a prompt)")
    .option("--json", "print the result as JSON")
    .action((options: UnlockOptions, command: Command) => runUnlock(ctx, command, options))
  program
    .command("lock")
    .description("lock the vault: the daemon forgets its keys until the next unlock (syncing of encrypted changes goes on)")
    .option("--json", "print the result as JSON")
    .action((options: JsonOption, command: Command) => runLock(ctx, command, options))
}

async function runStatus(ctx: CliContext, command: Command, options: JsonOption): Promise<void> {
  const status = await ctx.withClient(command, (client) => client.call("status", {}))
  if (options.json) ctx.printJson(status)
  else ctx.print(formatStatus(status))
}

async function runUnlock(ctx: CliContext, command: Command, options: UnlockOptions): Promise<void> {
  const result = await ctx.withClient(command, async (client) => {
    const password = await ctx.secrets.password({ label: "account password", envVar: "LANVAULT_PASSWORD", fromStdin: options.passwordStdin === true })
    return client.call("unlock", { password })
  })
  if (options.json) ctx.printJson(result)
  else ctx.print(`Unlocked: ${result.records} record${result.records === 1 ? "" : "s"}.`)
}

async function runLock(ctx: CliContext, command: Command, options: JsonOption): Promise<void> {
  const result = await ctx.withClient(command, (client) => client.call("lock", {}))
  if (options.json) ctx.printJson(result)
  else ctx.print("Locked.")
}

/** The human form of `status`. */
export function formatStatus(status: StatusResult, now: number = Date.now()): string {
  const readOnly = status.standing ? ` (read-only: ${status.standing.state === "revoked" ? "this device was revoked" : "the account was reset elsewhere"})` : ""
  const vault = status.locked ? "locked (run `lanvault unlock`)" : `unlocked, ${status.records ?? 0} records${readOnly}`
  const pairs: Array<[string, string]> = [
    ["device", `${status.deviceName} (${shortId(status.deviceId)})`],
    ["account", shortId(status.accountId)],
    ["vault", vault],
    ["auto-lock", status.autoLockMinutes > 0 ? `after ${status.autoLockMinutes} min idle` : "never"],
    ["home", status.home],
    ["socket", status.socket],
    ["daemon", `pid ${status.pid}, version ${status.version}, up ${formatDuration(now - status.startedAt)} (since ${formatTime(status.startedAt)})`],
    ["listening", status.port ? `port ${status.port}` : "no"],
    ["peers", status.peers.length === 0 ? "none yet" : `${status.peers.length}`],
  ]
  if (status.unreadableEntries) pairs.push(["warning", `${status.unreadableEntries} log entries could not be read (tampered or corrupt): see the daemon log`])
  if (status.obsolete && !status.standing) pairs.unshift(["WARNING", status.obsolete])
  if (status.standing) pairs.unshift([status.standing.state.toUpperCase(), status.standing.message], ["next", status.standing.next])
  const peers = status.peers.map((peer) => {
    const who = peer.name ?? (peer.deviceId ? shortId(peer.deviceId) : "unknown device")
    return `  ${who}  ${peer.address}  ${peer.state} (${peer.how})`
  })
  return [formatPairs(pairs), ...peers].join("\n")
}
