import type { Command } from "commander"
import type { DeviceInfo } from "../api/protocol.js"
import { printAccountKey } from "./account-key-output.js"
import type { CliContext } from "./context.js"
import { formatTable, formatTime, shortId } from "./format.js"
import { resolveDevice } from "./id-prefix.js"
import { integerIn } from "./option-parsers.js"

/** Longest pairing window `pair --seconds` may open. */
const MAX_PAIRING_SECONDS = 3600

interface JsonOption {
  json?: boolean
}

interface PairOptions extends JsonOption {
  seconds?: number
}

/** `pair`, `devices`, `revoke`, `rename`: this account's devices. */
export function registerDeviceCommands(program: Command, ctx: CliContext): void {
  program
    .command("pair")
    .description("open this device's pairing window so a new device can join the account")
    .option("--seconds <n>", "how long the window stays open (default: the daemon's)", integerIn(1, MAX_PAIRING_SECONDS))
    .option("--json", "print {until} as JSON")
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
    .action((device: string, options: JsonOption, command: Command) => runRevoke(ctx, command, device, options))
  program
    .command("rename")
    .description("rename a device")
    .argument("<device>", "the device's id, a unique prefix of it, or its name")
    .argument("<name>", "its new name")
    .option("--json", "print the device as JSON")
    .action((device: string, name: string, options: JsonOption, command: Command) => runRename(ctx, command, device, name, options))
}

async function runPair(ctx: CliContext, command: Command, options: PairOptions): Promise<void> {
  const params = options.seconds === undefined ? {} : { seconds: options.seconds }
  const result = await ctx.withClient(command, (client) => client.call("pairing.open", params))
  if (options.json) {
    ctx.printJson(result)
    return
  }
  const seconds = Math.max(0, Math.round((result.until - Date.now()) / 1000))
  ctx.print(`Pairing is open until ${formatTime(result.until)} (${seconds} s).`)
  ctx.print("On the new device, run `lanvault join --account-key-stdin` and give it the account key and the account password.")
}

async function runDevices(ctx: CliContext, command: Command, options: JsonOption): Promise<void> {
  const devices = await ctx.withClient(command, (client) => client.call("devices.list", {}))
  if (options.json) ctx.printJson(devices)
  else ctx.print(formatDevices(devices))
}

async function runRevoke(ctx: CliContext, command: Command, text: string, options: JsonOption): Promise<void> {
  const { device, result } = await ctx.withClient(command, async (client) => {
    const device = await resolveDevice(client, text)
    return { device, result: await client.call("devices.revoke", { deviceId: device.deviceId }) }
  })
  if (options.json) {
    ctx.printJson(result)
    return
  }
  await printAccountKey(ctx, result.accountKey, `Revoked "${device.name}" (${shortId(device.deviceId)}). The account has a NEW account key (the old one no longer works):`)
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
    device.revoked ? "revoked" : device.self ? "-" : (device.state ?? "disconnected"),
    device.self ? "-" : device.lastSeenAt === undefined ? "never" : formatTime(device.lastSeenAt),
  ])
  return formatTable(["ID", "NAME", "STATE", "LAST SEEN"], rows)
}
