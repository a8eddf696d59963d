import { LanvaultError } from "../errors.js"
import type { Channel, CloseInfo } from "../transport/index.js"

/**
 * A pairing link read one message at a time: `Channel` hands each message to
 * one handler as it comes, the pairing steps want "the next one, or why not".
 */
export class PairingLink {
  private readonly inbox: Uint8Array[] = []
  private closed: CloseInfo | undefined
  private readonly listeners = new Set<() => void>()

  constructor(readonly channel: Channel) {
    channel.onMessage((message) => {
      this.inbox.push(message)
      this.notify()
    })
    channel.onClose((info) => {
      this.closed = info
      this.notify()
    })
  }

  get isClosed(): boolean {
    return this.closed !== undefined || this.channel.isClosed
  }

  /** Resolves when the link closes (at once if it has). */
  whenClosed(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.isClosed) return
        this.listeners.delete(check)
        resolve()
      }
      this.listeners.add(check)
      check()
    })
  }

  send(message: Uint8Array): void {
    if (!this.isClosed) this.channel.send(message)
  }

  /** The next message; TIMEOUT after `timeoutMs` (the link is then closed), PEER_REFUSED if the link closes first. */
  next(timeoutMs: number, what: string): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const message = this.inbox.shift()
        if (message !== undefined) {
          done()
          return resolve(message)
        }
        if (!this.isClosed) return
        done()
        const reason = this.closed?.reason ?? this.channel.closeInfo?.reason
        reject(new LanvaultError("PEER_REFUSED", `the other device closed the link: ${reason ?? "closed"}`, { data: { reason } }))
      }
      const timer = setTimeout(() => {
        done()
        this.channel.close("normal closure")
        reject(new LanvaultError("TIMEOUT", `the other device did not send ${what} within ${Math.round(timeoutMs / 1000)} s`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        this.listeners.delete(check)
      }
      this.listeners.add(check)
      check()
    })
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener()
  }
}
