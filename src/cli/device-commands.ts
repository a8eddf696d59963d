import type { Command } from "commander"
import type { DeviceInfo } from "../api/protocol.js"
import { CliError } from "./cli-error.js"
import { printAccountKey } from "./account-key-output.js"
import { connectionWord } from "./connection-words.js"
import { joinHint } from "./pair-hint.js"
import type { CliContext } from "./context.js"
import { formatTable, formatTime, shortId } from "./format.js"
import { resolveDevice } from "./id-prefix.js"
import { offerKit } from "./kit-command.js"
import { integerIn } from "./option-parsers.js"
import { PairingWatch } from "./pairing-watch.js"

/** Longest pairing window `pair --seconds` may open. */
const MAX_PAIRING_SECONDS = 3600
/** After a yes, the new device stores the account and answers within seconds. */
const OUTCOME_TIMEOUT_MS = 30_000

interface JsonOption {
  json?: boolean
}

interface RevokeOptions extends JsonOption {
  kit?: string
}

interface PairOptions extends JsonOption {
  seconds?: number
  wait: boolean
}

/** `pair`, `devices`, `revoke`, `rename`: this account's devices. */
export function registerDeviceCommands(program: Command, ctx: CliContext): void {
  program
    .command("pair")
    .description("open this device's pairing window so a new device can join the account")
    .option("--seconds <n>", "how long the window stays open (default: the daemon's)", integerIn(1, MAX_PAIRING_SECONDS))
    .option("--json", "print {until} as JSON, then the paired device as a JSON line (the question still goes to stderr)")
    .option("--no-wait", "return at once instead of waiting for a device to join")
    .action((options: PairOptions, command: Command) => runPair(ctx, command, options))
  program
    .command("devices")
    .description("list the account's devices")
    .option("--json", "print the devices as JSON")
    .action((options: JsonOption, command: Command) => runDevices(ctx, command, options))
  program
    .command("revoke")
    .description("remove a device from the account (lost or sold); makes a new account key")
    .argument("<device>", "the device's id, a unique prefix of it, or its name")
    .option("--json", "print {deviceId, accountKey} as JSON")
    .option("--kit <file>", "also write the emergency kit PDF with the new account key to this file")
    .option("--qr", "print the new key's QR code even when stdout is not a terminal (without colours)")
    .action((device: string, options: RevokeOptions, command: Command) => runRevoke(ctx, command, device, options))
  program
    .command("rename")
    .description("rename a device")
    .argument("<device>", "the device's id, a unique prefix of it, or its name")
    .argument("<name>", "its new name")
    .option("--json", "print the device as JSON")
    .action((device: string, name: string, options: JsonOption, command: Command) => runRename(ctx, command, device, name, options))
}

/**
 * Opens the pairing window and, unless --no-wait, stays until a device joins:
 * shows its code, asks "Does the new device show <code>? [y/N]" (a terminal
 * prompt, else one stdin line) and confirms only on yes (issue 17).
 */
async function runPair(ctx: CliContext, command: Command, options: PairOptions): Promise<void> {
  const params = options.seconds === undefined ? {} : { seconds: options.seconds }
  await ctx.withClient(command, async (client) => {
    const watch = options.wait ? await PairingWatch.start(client) : undefined
    const result = await client.call("pairing.open", params)
    if (options.json) ctx.io.stdout.write(`${JSON.stringify(result)}\n`)
    else {
      const seconds = Math.max(0, Math.round((result.until - Date.now()) / 1000))
      ctx.print(`Pairing is open until ${formatTime(result.until)} (${seconds} s).`)
      const port = await client.call("status", {}).then((status) => status.port, () => undefined)
      ctx.print(joinHint(port).join("\n"))
    }
    if (!watch) return
    const waiting = (await client.call("pairing.status", {})).pending ?? await watch.next(["pairing.code"], result.until)
    if (!waiting) throw new CliError("the pairing window closed and no device joined")
    ctx.note(`"${waiting.name}" wants to join this account.`)
    if (!(await ctx.secrets.yesNo(`Does the new device show ${waiting.code}?`))) {
      await client.call("pairing.confirm", { accept: false }).catch(() => undefined)
      await client.call("pairing.close", {})
      throw new CliError(`not confirmed: nothing was shared with "${waiting.name}", and the pairing window is closed`)
    }
    await client.call("pairing.confirm", { accept: true, code: waiting.code })
    const outcome = await watch.next(["device.paired", "pairing.declined"], Date.now() + OUTCOME_TIMEOUT_MS)
    await client.call("pairing.close", {})
    if (outcome?.type !== "device.paired") throw new CliError(`"${waiting.name}" did not join${outcome ? ` (${outcome.reason})` : ""}`)
    if (options.json) ctx.io.stdout.write(`${JSON.stringify({ deviceId: outcome.deviceId, name: outcome.name, code: outcome.code })}\n`)
    else ctx.print(`"${outcome.name}" joined (code ${outcome.code}).`)
  })
}

async function runDevices(ctx: CliContext, command: Command, options: JsonOption): Promise<void> {
  const devices = await ctx.withClient(command, (client) => client.call("devices.list", {}))
  if (options.json) ctx.printJson(devices)
  else ctx.print(formatDevices(devices))
}

async function runRevoke(ctx: CliContext, command: Command, text: string, options: RevokeOptions): Promise<void> {
  const { device, result } = await ctx.withClient(command, async (client) => {
    const device = await resolveDevice(client, text)
    return { device, result: await client.call("devices.revoke", { deviceId: device.deviceId }) }
  })
  if (options.json) {
    ctx.printJson(result)
    await offerKit(ctx, command, options)
    return
  }
  await printAccountKey(ctx, result.accountKey, `Revoked "${device.name}" (${shortId(device.deviceId)}). The account has a NEW account key (the old one no longer works):`, command)
  await offerKit(ctx, command, options)
}

async function runRename(ctx: CliContext, command: Command, text: string, name: string, options: JsonOption): Promise<void> {
  const renamed = await ctx.withClient(command, async (client) => {
    const device = await resolveDevice(client, text)
    return client.call("devices.rename", { deviceId: device.deviceId, name })
  })
  if (options.json) ctx.printJson(renamed)
  else ctx.print(`Renamed ${shortId(renamed.deviceId)} to "${renamed.name}".`)
}

/** `devices`' table: short id, name, state, last seen. */
export function formatDevices(devices: readonly DeviceInfo[]): string {
  const rows = devices.map((device) => [
    shortId(device.deviceId),
    device.name + (device.self ? " (this device)" : ""),
    device.revoked ? "revoked" : device.self ? "this device" : connectionWord(device.state),
    device.self || device.revoked ? "-" : (device.address ?? "-"),
    device.self ? "-" : device.lastSeenAt === undefined ? "never" : formatTime(device.lastSeenAt),
  ])
  return formatTable(["ID", "NAME", "CONNECTION", "ADDRESS", "LAST SEEN"], rows)
}
