import cliProgress from "cli-progress"
import type { Command } from "commander"
import type { LanvaultClient } from "../api/client.js"
import type { EventParams } from "../api/protocol.js"
import { LanvaultError } from "../errors.js"
import type { CliContext } from "./context.js"
import { shortId } from "./format.js"

/** `--until-synced` exits once sync progress has been quiet this long after completing. */
export const SYNCED_QUIET_MS = 2_000
/** Signals that end a watch normally (exit 0). */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM"]
/** Width of the event type column. */
const TYPE_COLUMN_CHARS = 19

interface WatchOptions {
  json?: boolean
  untilSynced?: boolean
}

/** How `watch` shows events: one line each, or JSON lines. */
interface EventView {
  show(event: EventParams): void
  /** Leaves the terminal clean (progress bars stopped). Idempotent. */
  close(): void
}

/** `watch`: prints the daemon's events live until Ctrl-C (or, with --until-synced, until the first sync is done). */
export function registerWatchCommand(program: Command, ctx: CliContext): void {
  program
    .command("watch")
    .description("print the daemon's events as they happen (record changes, peers, lock state), with a progress bar for long syncs")
    .option("--json", "print each event as one JSON line, exactly as the daemon sends it")
    .option("--until-synced", `exit 0 once sync progress has reached its total and been quiet for ${SYNCED_QUIET_MS / 1000} s (after \`join\`, in scripts)`)
    .action((options: WatchOptions, command: Command) => ctx.withClient(command, (client) => watch(ctx, client, options)))
}

/** Shows every event until a stop signal, until synced, or until the daemon goes away (DAEMON_NOT_RUNNING, exit 4). */
async function watch(ctx: CliContext, client: LanvaultClient, options: WatchOptions): Promise<void> {
  const view: EventView = options.json ? new JsonView(ctx) : new LineView(ctx, await deviceNames(client))
  let detector: SyncedDetector | undefined
  let stop = () => {}
  try {
    await new Promise<void>((resolve, reject) => {
      stop = resolve
      for (const signal of STOP_SIGNALS) process.on(signal, stop)
      client.on("close", (error) => reject(error ?? new LanvaultError("DAEMON_NOT_RUNNING", "the connection to the lanvault daemon closed")))
      if (options.untilSynced) detector = new SyncedDetector(SYNCED_QUIET_MS, resolve)
      const onEvent = (event: EventParams) => {
        view.show(event)
        detector?.observe(event)
      }
      client
        .subscribe(onEvent)
        .then(async () => {
          ctx.note(`watching the daemon's events${options.untilSynced ? " until synced" : ""} (Ctrl-C to stop)`)
          // A device already out of its account says so first (issue 11 item 7).
          const { standing } = await client.call("status", {})
          if (standing !== undefined) view.show({ type: "device.standing", ...standing })
          return detector?.start(client)
        })
        .catch(reject)
    })
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, stop)
    detector?.stop()
    view.close()
  }
  if (options.untilSynced && !options.json) ctx.note("in sync: nothing more arrived")
}

/** Names of the account's devices by id, to show next to their ids (empty when the daemon cannot list them). */
async function deviceNames(client: LanvaultClient): Promise<Map<string, string>> {
  try {
    return new Map((await client.call("devices.list", {})).map((device) => [device.deviceId, device.name]))
  } catch {
    return new Map()
  }
}

/** `--json`: each event as one line. */
class JsonView implements EventView {
  constructor(private readonly ctx: CliContext) {}

  show(event: EventParams): void {
    this.ctx.io.stdout.write(`${JSON.stringify(event)}\n`)
  }

  close(): void {}
}

/** One readable line per event; `sync.progress` as bars on a terminal, as "synced done/total" lines elsewhere. */
class LineView implements EventView {
  private readonly bars: ProgressBars | undefined

  constructor(
    private readonly ctx: CliContext,
    private readonly names: Map<string, string>,
  ) {
    const stdout = ctx.io.stdout as NodeJS.WritableStream & { isTTY?: boolean }
    this.bars = stdout.isTTY === true ? new ProgressBars(stdout) : undefined
  }

  show(event: EventParams): void {
    if (event.type === "peer.connected" && event.name) this.names.set(event.deviceId, event.name)
    if (event.type === "device.paired") this.names.set(event.deviceId, event.name)
    if (event.type === "sync.progress" && this.bars) {
      const label = event.deviceId ? `sync from ${deviceLabel(event.deviceId, this.names)}` : (event.phase ?? "progress")
      this.bars.update(label, event.done, event.total)
      return
    }
    const line = `${formatEvent(event, this.names, new Date())}\n`
    if (this.bars?.active) this.bars.log(line)
    else this.ctx.io.stdout.write(line)
  }

  close(): void {
    this.bars?.stop()
  }
}

/** One cli-progress bar per device a sync comes from; lines logged meanwhile are printed above the bars. */
class ProgressBars {
  private multiBar: cliProgress.MultiBar | undefined
  private readonly bars = new Map<string, cliProgress.SingleBar>()

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Whether bars are on screen (then lines go through {@link log}). */
  get active(): boolean {
    return this.multiBar !== undefined
  }

  /** Moves the bar named `label` (made on first use) to `done` of `total`. */
  update(label: string, done: number, total: number): void {
    this.multiBar ??= new cliProgress.MultiBar(
      { stream: this.stream, format: " {label} [{bar}] {value}/{total}", hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    )
    const bar = this.bars.get(label) ?? this.multiBar.create(total, done, { label })
    this.bars.set(label, bar)
    bar.setTotal(total)
    bar.update(done, { label })
    if ([...this.bars.values()].every((b) => b.getProgress() >= 1)) this.finish()
  }

  /** Prints `line` above the bars at their next redraw. */
  log(line: string): void {
    this.multiBar?.log(line)
  }

  /** Takes the bars off the screen. Idempotent. */
  stop(): void {
    this.multiBar?.stop()
    this.multiBar = undefined
    this.bars.clear()
  }

  /** Every bar is full: replace them with one line each. */
  private finish(): void {
    const prefix = `${formatClock(new Date())}  ${"sync.progress".padEnd(TYPE_COLUMN_CHARS)}`
    const lines = [...this.bars.entries()].map(([label, bar]) => `${prefix}${label}: ${bar.getTotal()}/${bar.getTotal()} done\n`)
    this.stop()
    for (const line of lines) this.stream.write(line)
  }
}

/**
 * Decides when `--until-synced` is done: `quietMs` after a progress event
 * reached its total, or after a peer connected with nothing to send (a catch-up
 * with nothing new reports no progress), with no progress since.
 */
export class SyncedDetector {
  private timer: NodeJS.Timeout | undefined
  private receiving = false

  constructor(
    private readonly quietMs: number,
    private readonly onSynced: () => void,
  ) {}

  /** Takes one event into account. */
  observe(event: EventParams): void {
    if (event.type === "sync.progress") {
      this.receiving = event.done < event.total
      if (this.receiving) this.disarm()
      else this.arm()
    } else if (event.type === "peer.connected" && !this.receiving) {
      this.arm()
    }
  }

  /** Looks at the daemon's peers once: one already caught up when the watch started counts as a connection with nothing to send. */
  async start(client: Pick<LanvaultClient, "call">): Promise<void> {
    const status = await client.call("status", {})
    if (!this.receiving && this.timer === undefined && status.peers.some((peer) => peer.state === "idle")) this.arm()
  }

  /** Cancels a pending exit. */
  stop(): void {
    this.disarm()
  }

  private arm(): void {
    this.disarm()
    this.timer = setTimeout(this.onSynced, this.quietMs)
  }

  private disarm(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** One event as a line: `HH:MM:SS.mmm  type  details`. */
export function formatEvent(event: EventParams, names: ReadonlyMap<string, string>, at: Date): string {
  return `${formatClock(at)}  ${event.type.padEnd(TYPE_COLUMN_CHARS)}${describeEvent(event, names)}`.trimEnd()
}

function describeEvent(event: EventParams, names: ReadonlyMap<string, string>): string {
  switch (event.type) {
    case "record.changed":
      return `${shortId(event.id)}  ${event.origin}${event.deleted ? "  deleted" : ""}`
    case "peer.connected":
      return `${deviceLabel(event.deviceId, names, event.name)} at ${event.address}`
    case "peer.disconnected":
      return `${deviceLabel(event.deviceId, names)}${event.reason ? `: ${event.reason}` : ""}`
    case "sync.progress": {
      const from = event.deviceId ? ` from ${deviceLabel(event.deviceId, names)}` : ""
      return `synced ${event.done}/${event.total}${from}${event.phase && event.phase !== "sync" ? ` (${event.phase})` : ""}`
    }
    case "locked":
      return `vault locked (${event.reason})`
    case "unlocked":
      return `vault unlocked${event.records === undefined ? "" : `, ${event.records} record${event.records === 1 ? "" : "s"}`}`
    case "device.paired":
      return `${deviceLabel(event.deviceId, names, event.name)} joined, code ${event.code}`
    case "device.standing":
      return `${event.state.toUpperCase()}: ${event.message}. Next: ${event.next}`
    default:
      return JSON.stringify(event)
  }
}

/** `beta (1a2b3c4d)`, or the short id alone when the name is unknown. */
function deviceLabel(deviceId: string | undefined, names: ReadonlyMap<string, string>, name?: string): string {
  if (deviceId === undefined) return "a peer"
  const known = name ?? names.get(deviceId)
  return known ? `${known} (${shortId(deviceId)})` : shortId(deviceId)
}

/** `HH:MM:SS.mmm`, local time. */
function formatClock(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0")
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`
}
