import { LanvaultError } from "../../errors.js"

/** One `record.changed` event as a device's client received it. */
export interface Arrival {
  id: string
  origin: "local" | "remote"
  /** When the client received it, on the tracker's clock (ms). */
  at: number
}

interface Waiter {
  id: string
  origin: Arrival["origin"]
  since: number
  resolve: (at: number) => void
}

/**
 * Remembers when each `record.changed` event reached one device, so the demo can
 * ask "when did record X first arrive here after time T?" even when the event
 * came before the call that caused it returned its id.
 */
export class ArrivalTracker {
  private readonly arrivals: Arrival[] = []
  private readonly waiters = new Set<Waiter>()

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records an event now; wakes whoever waits for it. */
  record(event: { id: string; origin: Arrival["origin"] }): void {
    const arrival = { id: event.id, origin: event.origin, at: this.now() }
    this.arrivals.push(arrival)
    for (const waiter of this.waiters) {
      if (!matches(arrival, waiter)) continue
      this.waiters.delete(waiter)
      waiter.resolve(arrival.at)
    }
  }

  /**
   * When record `id` first changed here with `origin` at or after `since`: at once
   * when it already did, else when it does; TIMEOUT after `timeoutMs`.
   */
  arrival(id: string, origin: Arrival["origin"], since: number, timeoutMs: number): Promise<number> {
    const seen = this.arrivals.find((arrival) => matches(arrival, { id, origin, since }))
    if (seen !== undefined) return Promise.resolve(seen.at)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        reject(new LanvaultError("TIMEOUT", `record ${id.slice(0, 8)} did not arrive within ${timeoutMs} ms`))
      }, timeoutMs)
      timer.unref() // an interrupted demo must not stay alive for a wait nobody needs any more
      const waiter: Waiter = { id, origin, since, resolve: (at) => (clearTimeout(timer), resolve(at)) }
      this.waiters.add(waiter)
    })
  }
}

function matches(arrival: Arrival, wanted: Pick<Waiter, "id" | "origin" | "since">): boolean {
  return arrival.id === wanted.id && arrival.origin === wanted.origin && arrival.at >= wanted.since
}
