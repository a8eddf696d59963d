import type { Command } from "commander"
import type { LanvaultClient } from "../api/client.js"
import type { ResultOf, StatusResult } from "../api/protocol.js"
import { LanvaultError } from "../errors.js"
import type { CliContext } from "./context.js"
import { withProgressBar } from "./progress-bars.js"
import { integerIn } from "./option-parsers.js"
import { CONNECTION_COLUMNS, connectionWord, foundByWord } from "./connection-words.js"
import { formatDuration, formatPairs, formatTable, formatTime, shortId } from "./format.js"

const DEFAULT_REMEMBER_USES = 50
const DEFAULT_REMEMBER_DAYS = 14
/** A week, as the daemon allows (`settings.autoLock`). */
const MAX_AUTO_LOCK_MINUTES = 7 * 24 * 60

interface JsonOption {
  json?: boolean
}

interface UnlockOptions extends JsonOption {
  passwordStdin?: boolean
  remember?: boolean
  rememberUses?: number
  rememberDays?: number
}

/** Why a quick unlock did not happen, when the CLI then asks for the password. */
const QUICK_UNLOCK_CODES = new Set(["QUICK_UNLOCK_UNAVAILABLE", "KEYCHAIN_UNAVAILABLE"])

/** `status`, `unlock`, `lock`: the running daemon and whether its vault is open. */
export function registerSessionCommands(program: Command, ctx: CliContext): void {
  program
    .command("status")
    .description("show the daemon, this device, and whether the vault is locked")
    .option("--json", "print the status as JSON")
    .action((options: JsonOption, command: Command) => runStatus(ctx, command, options))
  program
    .command("unlock")
    .description("unlock the vault: with a quick unlock remembered in the system keychain if there is one, else with the account password")
    .option("--password-stdin", "read the password as the first line of stdin (else LANVAULT_PASSWORD, else a prompt)")
    .option("--remember", `keep a quick unlock in the system keychain: the next unlocks need no password (default ${DEFAULT_REMEMBER_USES} unlocks within ${DEFAULT_REMEMBER_DAYS} days)`)
    .option("--remember-uses <n>", "with --remember: how many quick unlocks before the password is asked again", integerIn(1, 1_000))
    .option("--remember-days <n>", "with --remember: how many days before the password is asked again", integerIn(1, 90))
    .option("--json", "print the result as JSON")
    .action((options: UnlockOptions, command: Command) => runUnlock(ctx, command, options))
  program
    .command("forget")
    .description("forget this device's quick unlock (the secret in the system keychain and the copy it unwraps)")
    .option("--json", "print {forgotten} as JSON")
    .action((options: JsonOption, command: Command) => runForget(ctx, command, options))
  program
    .command("auto-lock")
    .argument("[minutes]", `minutes idle before the vault locks itself (0 = never, at most ${MAX_AUTO_LOCK_MINUTES})`, integerIn(0, MAX_AUTO_LOCK_MINUTES))
    .description("show or set when the vault locks itself; kept on this device across daemon restarts")
    .option("--json", "print {autoLockMinutes} as JSON")
    .action((minutes: number | undefined, options: JsonOption, command: Command) => runAutoLock(ctx, command, minutes, options))
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

/** `lanvault unlock`: unlocks (see {@link unlock}) and says how many records the vault holds. */
async function runUnlock(ctx: CliContext, command: Command, options: UnlockOptions): Promise<void> {
  // On a terminal, a bar follows an unlock that replays a long log (work.progress); a quick one sends none worth drawing.
  const result = await ctx.withClient(command, (client) => withProgressBar(client, ctx.io.stderr, options.json, "unlock", () => unlock(ctx, client, options)))
  if (result.notRemembered !== undefined) ctx.note(`Could not remember a quick unlock: ${result.notRemembered}. Unlock with the password until the keychain works.`)
  if (options.json) {
    ctx.printJson(result)
    return
  }
  const records = `${result.records} record${result.records === 1 ? "" : "s"}`
  if (result.quick) ctx.print(`Unlocked with the system keychain: ${records} (${describeQuick(result.quick)}).`)
  else ctx.print(`Unlocked: ${records}.`)
  if (result.remembered) ctx.print(`Quick unlock remembered in the system keychain: ${describeQuick(result.remembered)}; \`lanvault forget\` removes it.`)
}

/**
 * Without a password source given (LANVAULT_PASSWORD, --password-stdin) or
 * --remember, tries the quick unlock first; if the keychain is missing or
 * locked, or the remembered one is used up, it says why and asks for the password.
 */
async function unlock(ctx: CliContext, client: LanvaultClient, options: UnlockOptions): Promise<ResultOf<"unlock">> {
  const explicit = options.passwordStdin === true || (ctx.io.env.LANVAULT_PASSWORD ?? "") !== ""
  const remember = options.remember === true || options.rememberUses !== undefined || options.rememberDays !== undefined
  if (!explicit && !remember) {
    try {
      return await client.call("unlock", {})
    } catch (error) {
      if (!(error instanceof LanvaultError && QUICK_UNLOCK_CODES.has(error.code))) throw error
      if (error.data?.reason !== "none") ctx.note(`Quick unlock not possible: ${error.message}. Asking for the password.`)
    }
  }
  const password = await ctx.secrets.password({ label: "account password", envVar: "LANVAULT_PASSWORD", fromStdin: options.passwordStdin === true })
  const limits = { ...(options.rememberUses === undefined ? {} : { uses: options.rememberUses }), ...(options.rememberDays === undefined ? {} : { days: options.rememberDays }) }
  return client.call("unlock", remember ? { password, remember: Object.keys(limits).length > 0 ? limits : true } : { password })
}

function describeQuick(state: { usesLeft: number; expiresAt: number }): string {
  return `${state.usesLeft} quick unlock${state.usesLeft === 1 ? "" : "s"} left, until ${formatTime(state.expiresAt)}`
}

async function runForget(ctx: CliContext, command: Command, options: JsonOption): Promise<void> {
  const result = await ctx.withClient(command, (client) => client.call("quickUnlock.forget", {}))
  if (options.json) ctx.printJson(result)
  else ctx.print(result.forgotten ? "Forgot the quick unlock: the next unlock needs the password." : "No quick unlock was remembered on this device.")
}

async function runAutoLock(ctx: CliContext, command: Command, minutes: number | undefined, options: JsonOption): Promise<void> {
  const result = await ctx.withClient(command, async (client) =>
    minutes === undefined ? { autoLockMinutes: (await client.call("status", {})).autoLockMinutes } : client.call("settings.autoLock", { minutes }),
  )
  if (options.json) ctx.printJson(result)
  else ctx.print(result.autoLockMinutes > 0 ? `The vault locks after ${result.autoLockMinutes} min idle.` : "The vault never locks by itself.")
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
    ["quick unlock", status.quickUnlock ? describeQuick(status.quickUnlock) : "none (`lanvault unlock --remember` keeps one)"],
    ["auto-lock", status.autoLockMinutes > 0 ? `after ${status.autoLockMinutes} min idle` : "never"],
    ["home", status.home],
    ["socket", status.socket],
    ["daemon", `pid ${status.pid}, version ${status.version}, up ${formatDuration(now - status.startedAt)} (since ${formatTime(status.startedAt)})`],
    ["listening", status.port ? `port ${status.port}` : "no"],
    ["devices", peersLine(status.peers)],
  ]
  if (status.unreadableEntries) pairs.push(["warning", `${status.unreadableEntries} log entries could not be read (tampered or corrupt): see the daemon log`])
  if (status.obsolete && !status.standing) pairs.unshift(["WARNING", status.obsolete])
  if (status.standing) pairs.unshift([status.standing.state.toUpperCase(), status.standing.message], ["next", status.standing.next])
  if (status.peers.length === 0) return formatPairs(pairs)
  const rows = status.peers.map((peer) => [peer.name ?? (peer.deviceId ? shortId(peer.deviceId) : "unknown yet"), peer.address, connectionWord(peer.state), foundByWord(peer.how)])
  return [formatPairs(pairs), "", indent(formatTable([...CONNECTION_COLUMNS], rows))].join("\n")
}

function peersLine(peers: StatusResult["peers"]): string {
  if (peers.length === 0) return "none in reach yet (found by mDNS, or `lanvault peer add HOST:PORT`)"
  const connected = peers.filter((peer) => connectionWord(peer.state).startsWith("connected")).length
  return `${connected} connected of ${peers.length} known`
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n")
}
