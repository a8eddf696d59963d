import type { LanvaultClient } from "../api/client.js"
import type { EventParams } from "../api/protocol.js"

type PairingEvent = Extract<EventParams, { type: "pairing.code" | "device.paired" | "pairing.declined" }>

/** The pairing events of one `lanvault pair`, queued from before the window opens so none is missed. */
export class PairingWatch {
  private readonly queue: PairingEvent[] = []
  private wake: (() => void) | undefined

  private constructor() {}

  static async start(client: LanvaultClient): Promise<PairingWatch> {
    const watch = new PairingWatch()
    await client.subscribe(["pairing.code", "device.paired", "pairing.declined"], (event) => {
      if (event.type !== "pairing.code" && event.type !== "device.paired" && event.type !== "pairing.declined") return
      watch.queue.push(event)
      watch.wake?.()
    })
    return watch
  }

  /** The next event of one of `types` (others are dropped), or undefined at `deadline` (ms since the epoch). */
  async next<T extends PairingEvent["type"]>(types: T[], deadline: number): Promise<Extract<PairingEvent, { type: T }> | undefined> {
    for (;;) {
      const index = this.queue.findIndex((event) => (types as string[]).includes(event.type))
      if (index >= 0) return this.queue.splice(index, 1)[0] as Extract<PairingEvent, { type: T }>
      const left = deadline - Date.now()
      if (left <= 0) return undefined
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        timer.unref()
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
  }
}
