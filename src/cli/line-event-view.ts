import type { EventParams } from "../api/protocol.js"
import type { CliContext } from "./context.js"
import { deviceLabel, formatEvent } from "./event-format.js"
import type { EventView } from "./event-view.js"
import { ProgressBars } from "./progress-bars.js"

/** One readable line per event; `sync.progress` as bars on a terminal, as "synced done/total" lines elsewhere. */
export class LineView implements EventView {
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
      const toward = event.phase === "serve" ? "to" : "from"
      const label = event.deviceId ? `sync ${toward} ${deviceLabel(event.deviceId, this.names)}` : (event.phase ?? "progress")
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
