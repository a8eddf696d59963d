import type { EventParams } from "../api/protocol.js"
import { markStanding, readStanding, type StandingState, type StandingStore } from "../account/index.js"
import type { Logger } from "../log.js"

/**
 * Tells, once per change, that this device is out of its account (revoked, or
 * the account reset elsewhere: issue 11 item 7), in the log and to subscribers.
 */
export class StandingNotice {
  /** The standing last announced, so a change is told once. */
  private announced: StandingState | undefined

  constructor(private readonly deps: { store: StandingStore; logger: Logger; publish: (event: EventParams) => void }) {}

  /** A trusted device showed this one is out of the account. */
  note(state: StandingState, by?: string): void {
    if (!markStanding(this.deps.store, state, by)) return
    this.announce()
  }

  /** Announces the stored standing if it changed (after a trust list change too). */
  announce(): void {
    const standing = readStanding(this.deps.store)
    if (standing === undefined || this.announced === standing.state) return
    this.announced = standing.state
    this.deps.logger.error("this device is out of its account", { state: standing.state, next: standing.next })
    this.deps.publish({ type: "device.standing", ...standing })
  }
}
