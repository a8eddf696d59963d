import { LanvaultError } from "../../../src/errors.js"
import type { PeerLink } from "../../../src/sync/peer-link.js"

/**
 * One end of an in-memory {@link PeerLink} pair: ordered, reliable, and
 * asynchronous like a socket (each message is delivered in a later microtask).
 * Records what went through it, and any error a listener threw.
 */
export class MemoryLink implements PeerLink {
  peer: MemoryLink | undefined
  /** Why this end closed, once it has (either side's reason). */
  closedWith: string | undefined
  /** Messages this end sent, in order. */
  readonly sent: Uint8Array[] = []
  /** Errors thrown by a listener of this end (there should be none). */
  readonly listenerErrors: unknown[] = []
  private messageListener: ((message: Uint8Array) => void) | undefined
  private readonly closeListeners: Array<(reason: string) => void> = []
  private readonly inbox: Uint8Array[] = []

  constructor(readonly remoteDeviceId: string, readonly address: string, private readonly trace?: TraceLine[]) {}

  send(message: Uint8Array): void {
    if (this.closedWith !== undefined) throw new LanvaultError("PROTOCOL_ERROR", "the link is closed")
    const copy = message.slice()
    this.sent.push(copy)
    this.trace?.push({ to: this.remoteDeviceId, type: copy[0], bytes: copy.length })
    const peer = this.peer
    queueMicrotask(() => peer?.deliver(copy))
  }

  close(reason: string): void {
    if (this.closedWith !== undefined) return
    this.end(reason)
    const peer = this.peer
    queueMicrotask(() => peer?.end(reason))
  }

  onMessage(listener: (message: Uint8Array) => void): void {
    this.messageListener = listener
    while (this.inbox.length > 0) this.call(() => listener(this.inbox.shift() as Uint8Array))
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener)
    const reason = this.closedWith
    if (reason !== undefined) queueMicrotask(() => this.call(() => listener(reason)))
  }

  private deliver(message: Uint8Array): void {
    if (this.closedWith !== undefined) return
    const listener = this.messageListener
    if (listener === undefined) this.inbox.push(message)
    else this.call(() => listener(message))
  }

  private end(reason: string): void {
    if (this.closedWith !== undefined) return
    this.closedWith = reason
    for (const listener of this.closeListeners) this.call(() => listener(reason))
  }

  private call(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.listenerErrors.push(error)
    }
  }
}

/** One message sent over a traced pair: to which device, its type byte and size. */
export interface TraceLine {
  to: string
  type: number
  bytes: number
}

/** Two connected ends: the first is `a`'s view of `b` (its remoteDeviceId is `b`), the second `b`'s view of `a`; every send is appended to `trace` if given. */
export function linkPair(a: string, b: string, trace?: TraceLine[]): [MemoryLink, MemoryLink] {
  const toB = new MemoryLink(b, `10.0.0.${parseInt(b.slice(0, 2), 16)}:47110`, trace)
  const toA = new MemoryLink(a, `10.0.0.${parseInt(a.slice(0, 2), 16)}:47110`, trace)
  toB.peer = toA
  toA.peer = toB
  return [toB, toA]
}
