import type { Command } from "commander"
import type { CliContext } from "./context.js"
import { CONNECTION_COLUMNS, connectionWord, foundByWord } from "./connection-words.js"
import { formatTable } from "./format.js"
import { hostPort } from "./option-parsers.js"

interface JsonOption {
  json?: boolean
}

/** `peer add|list|remove`: addresses to dial when multicast is blocked (shared with the other devices). */
export function registerPeerCommand(program: Command, ctx: CliContext): void {
  const peer = program.command("peer").description("addresses of other devices to dial when multicast discovery is blocked")
  peer
    .command("add")
    .description("dial this address from now on (remembered, and shared with the other devices once reached)")
    .argument("<host:port>", "the other device's address and port", hostPort)
    .option("--json", "print the result as JSON")
    .action(async (address: string, options: JsonOption, command: Command) => {
      const result = await ctx.withClient(command, (client) => client.call("peers.add", { address }))
      if (options.json) ctx.printJson(result)
      else ctx.print(`Dialling ${result.address}.`)
    })
  peer
    .command("list")
    .description("the addresses this device dials and how each is doing")
    .option("--json", "print the list as JSON")
    .action(async (options: JsonOption, command: Command) => {
      const peers = await ctx.withClient(command, (client) => client.call("peers.list", {}))
      if (options.json) ctx.printJson(peers)
      else if (peers.length === 0) ctx.print("No addresses: devices are found by discovery, or add one with `lanvault peer add HOST:PORT`.")
      else ctx.print(formatTable([...CONNECTION_COLUMNS], peers.map((p) => [p.deviceId?.slice(0, 8) ?? "unknown yet", p.address, connectionWord(p.lastError ? `${p.state}: ${p.lastError}` : p.state), foundByWord(p.how)])))
    })
  peer
    .command("remove")
    .description("stop dialling an address")
    .argument("<host:port>", "an address shown by `lanvault peer list`")
    .option("--json", "print the result as JSON")
    .action(async (address: string, options: JsonOption, command: Command) => {
      const result = await ctx.withClient(command, (client) => client.call("peers.remove", { address }))
      if (options.json) ctx.printJson(result)
      else ctx.print(`No longer dialling ${result.address}.`)
    })
}
