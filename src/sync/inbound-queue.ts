import { protocolError } from "./byte-reader.js"

/**
 * Messages that may wait while one is handled across turns of the event loop.
 * A peer sends at most WINDOW_BATCHES unacknowledged batches plus a few control
 * messages, so only a peer ignoring flow control comes near this.
 */
export const MAX_WAITING_MESSAGES = 256

/** What an {@link InboundQueue} drives. */
export interface InboundQueueDeps {
  /** Handles one message: at once, or across turns of the event loop (a promise). Throws or rejects to refuse it. */
  handle: (message: Uint8Array) => void | Promise<void>
  /** A message was refused: the session closes the link. */
  fail: (error: unknown) => void
  /** Whether the session ended (what is still queued is dropped). */
  stopped: () => boolean
}

/**
 * A session's received messages, handled one at a time in the order they
 * came. Most are handled at once; one handled in slices (a large batch whose
 * signatures are checked a slice per turn) holds back those after it until it
 * is done, so acks, batches and trust changes keep their order.
 */
export class InboundQueue {
  private readonly waiting: Uint8Array[] = []
  private busy = false

  constructor(private readonly deps: InboundQueueDeps, private readonly maxWaiting = MAX_WAITING_MESSAGES) {}

  /** Whether a message is being handled across turns, or waiting to be. */
  get pending(): boolean {
    return this.busy || this.waiting.length > 0
  }

  /** Queues a message behind the one under way (see {@link pending}); a peer that floods is refused. */
  push(message: Uint8Array): void {
    if (this.deps.stopped()) return
    if (!this.pending) return this.run(message)
    if (this.waiting.length >= this.maxWaiting) {
      this.waiting.length = 0
      return this.deps.fail(protocolError(`a peer sent more than ${this.maxWaiting} messages while one was being checked`))
    }
    this.waiting.push(message)
  }

  /** A message is being handled across turns: later ones wait until `done` settles (a rejection refuses it). */
  hold(done: Promise<void>): void {
    this.busy = true
    done.then(() => this.next(), (error: unknown) => {
      this.busy = false
      this.waiting.length = 0
      this.deps.fail(error)
    })
  }

  private run(message: Uint8Array): void {
    let result: void | Promise<void>
    try {
      result = this.deps.handle(message)
    } catch (error) {
      return this.deps.fail(error)
    }
    if (result !== undefined) this.hold(result)
  }

  private next(): void {
    this.busy = false
    while (!this.busy && this.waiting.length > 0) {
      if (this.deps.stopped()) {
        this.waiting.length = 0
        return
      }
      this.run(this.waiting.shift()!)
    }
  }
}
