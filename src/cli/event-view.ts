import type { EventParams } from "../api/protocol.js"
import type { CliContext } from "./context.js"

/** How `watch` shows events: one line each, or JSON lines. */
export interface EventView {
  show(event: EventParams): void
  /** Leaves the terminal clean (progress bars stopped). Idempotent. */
  close(): void
}

/** `--json`: each event as one line. */
export class JsonView implements EventView {
  constructor(private readonly ctx: CliContext) {}

  show(event: EventParams): void {
    this.ctx.io.stdout.write(`${JSON.stringify(event)}\n`)
  }

  close(): void {}
}
