import type { LanvaultClient } from "../api/client.js"
import type { EventParams } from "../api/protocol.js"

/**
 * Decides when `--until-synced` is done: `quietMs` after a progress event of
 * receiving (not of serving a peer) reached its total, or after a peer connected with nothing to send (a catch-up
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
    if (event.type === "sync.progress" && event.phase !== "serve") {
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
