import type { Command } from "commander"
import type { LanvaultClient } from "../api/client.js"
import type { EventParams } from "../api/protocol.js"
import { LanvaultError } from "../errors.js"
import type { CliContext } from "./context.js"
import { JsonView, type EventView } from "./event-view.js"
import { LineView } from "./line-event-view.js"
import { SyncedDetector } from "./synced-detector.js"

export { formatEvent } from "./event-format.js"
export { SyncedDetector }

/** `--until-synced` exits once sync progress has been quiet this long after completing. */
export const SYNCED_QUIET_MS = 2_000
/** Signals that end a watch normally (exit 0). */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM"]

interface WatchOptions {
  json?: boolean
  untilSynced?: boolean
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
