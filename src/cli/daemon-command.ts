import { Option, type Command } from "commander"
import type { CliContext } from "./context.js"
import { collectWith, hostPort, integerIn } from "./option-parsers.js"

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"]
const MAX_AUTO_LOCK_MINUTES = 7 * 24 * 60

const LOGS_HELP = `
Logs: the daemon writes JSON lines (pino) to stderr, never a key, a password or a
record value. In the foreground they show in the terminal; under
\`lanvault service install\` they go to the systemd journal
(\`journalctl --user -u lanvault.service\`, or the unit name install printed for
another home) on Linux, and to <home>/daemon.stderr.log on macOS. Level: --log-level
or LANVAULT_LOG_LEVEL (default info).

Two daemons on one machine (two homes) need two ports: --port N for the second.
`

interface DaemonCommandOptions {
  port?: number
  listen?: string
  allow?: string[]
  peer?: string[]
  mdns: boolean
  autoLock?: number
  logLevel?: string
}

/** `daemon`: runs this device's daemon in the foreground until SIGTERM or SIGINT. */
export function registerDaemonCommand(program: Command, ctx: CliContext): void {
  program
    .command("daemon")
    .description("run this device's daemon in the foreground (sync, pairing, local API) until SIGTERM or Ctrl-C")
    .option("--port <n>", "TCP port to listen on for other devices (default 47110; 0: any free port, found by mDNS)", integerIn(0, 65_535))
    .option("--listen <address>", "address to listen on for other devices (default: every IPv4 interface, 0.0.0.0)")
    .option("--allow <cidr>", "also treat this network as the LAN (repeatable), e.g. 100.64.0.0/10", (value: string, previous: string[] = []) => [...previous, value])
    .option("--peer <host:port>", "also dial this address (repeatable; for networks that block multicast)", collectWith(hostPort))
    .option("--no-mdns", "do not announce or discover devices with mDNS")
    .option("--auto-lock <minutes>", "lock the vault after this many idle minutes (0 = never)", integerIn(0, MAX_AUTO_LOCK_MINUTES))
    .addOption(new Option("--log-level <level>", "log level of the JSON log on stderr (default: LANVAULT_LOG_LEVEL, else info)").choices(LOG_LEVELS))
    .addHelpText("after", LOGS_HELP)
    .action((options: DaemonCommandOptions, command: Command) => runDaemonCommand(ctx, command, options))
}

async function runDaemonCommand(ctx: CliContext, command: Command, options: DaemonCommandOptions): Promise<void> {
  const { runDaemon } = await import("../daemon/run-daemon.js")
  await runDaemon({
    home: ctx.home(command),
    socketPath: ctx.socketPath(command),
    port: options.port,
    host: options.listen,
    allowCidrs: options.allow,
    peers: options.peer,
    mdns: options.mdns,
    autoLockMinutes: options.autoLock,
    logLevel: options.logLevel,
  })
}
