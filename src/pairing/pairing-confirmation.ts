import { InvalidParamsError, LanvaultError } from "../errors.js"

/** How long a code waits on the host's screen for a person's answer. */
export const CONFIRM_TIMEOUT_MS = 120_000

/** A new device waiting for a person on the host to compare codes. */
export interface PendingPairing {
  code: string
  deviceId: string
  name: string
  /** When the wait ends on its own (ms since the epoch). */
  until: number
}

/** How a wait for confirmation ended. */
export type PairingVerdict = "accept" | "declined" | "timeout" | "closed"

/**
 * The one pairing that waits for a person on the host (`pairing.confirm`).
 * One at a time: a second device cannot slip in while a code is on screen.
 */
export class PairingConfirmation {
  private current: { pending: PendingPairing; settle: (verdict: PairingVerdict) => void } | undefined

  constructor(private readonly now: () => number = Date.now) {}

  get pending(): PendingPairing | undefined {
    return this.current?.pending
  }

  /** Waits up to `timeoutMs` for {@link confirm}, or until `cancelled` resolves (the link closed). */
  wait(pending: Omit<PendingPairing, "until">, timeoutMs: number, cancelled: Promise<void>): Promise<PairingVerdict> {
    if (this.current !== undefined) throw new Error("a pairing already waits for confirmation")
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle("timeout"), timeoutMs)
      timer.unref()
      const settle = (verdict: PairingVerdict) => {
        if (this.current?.settle !== settle) return
        clearTimeout(timer)
        this.current = undefined
        resolve(verdict)
      }
      this.current = { pending: { ...pending, until: this.now() + timeoutMs }, settle }
      void cancelled.then(() => settle("closed"))
    })
  }

  /**
   * A person's answer. Accepting needs the code they were shown: an answer
   * meant for another code never confirms this one (INVALID_PARAMS).
   */
  confirm(accept: boolean, code: string | undefined): { accepted: boolean } {
    const current = this.current
    if (current === undefined) throw new LanvaultError("NOT_FOUND", "no new device is waiting for confirmation")
    if (accept && code !== current.pending.code) throw new InvalidParamsError("that is not the code the new device shows: nothing was confirmed")
    current.settle(accept ? "accept" : "declined")
    return { accepted: accept }
  }
}
