import type { FrameSocket } from "./frame-socket.js"

/** Close code for a link that ended without a close frame (RFC 6455 §7.4.1). */
const ABNORMAL_CLOSE_CODE = 1006

/**
 * One end of an in-memory {@link FrameSocket} pair: messages are copied and
 * delivered asynchronously and in order, like a WebSocket. For tests and for
 * contract suites of the layers above transport.
 */
export class MemoryFrameSocket implements FrameSocket {
  #peer: MemoryFrameSocket | undefined
  #messageHandler: ((bytes: Uint8Array) => void) | undefined
  #closeHandler: ((code: number, reason: string) => void) | undefined
  #queue: Uint8Array[] = []
  #closed: { code: number; reason: string } | undefined
  #closeReported = false

  /** Two connected ends. */
  static pair(): [MemoryFrameSocket, MemoryFrameSocket] {
    const a = new MemoryFrameSocket()
    const b = new MemoryFrameSocket()
    a.#peer = b
    b.#peer = a
    return [a, b]
  }

  /** Whether this end is closed (by either side). */
  get closed(): boolean {
    return this.#closed !== undefined
  }

  send(bytes: Uint8Array): void {
    const peer = this.#peer
    if (this.#closed !== undefined || peer === undefined) return
    const copy = bytes.slice()
    setImmediate(() => peer.#receive(copy))
  }

  close(code: number, reason: string): void {
    if (this.#closed !== undefined) return
    this.#closed = { code, reason }
    setImmediate(() => this.#reportClose())
    const peer = this.#peer
    // The peer learns of the close after every message sent before it.
    if (peer !== undefined) setImmediate(() => peer.#remoteClosed(code, reason))
  }

  /** Drops the link without a close frame, as a crashed peer would (code 1006). */
  destroy(): void {
    this.close(ABNORMAL_CLOSE_CODE, "")
  }

  onMessage(fn: (bytes: Uint8Array) => void): void {
    this.#messageHandler = fn
    while (this.#queue.length > 0 && this.#messageHandler === fn && this.#closed === undefined) {
      fn(this.#queue.shift() as Uint8Array)
    }
  }

  onClose(fn: (code: number, reason: string) => void): void {
    this.#closeHandler = fn
    if (this.#closeReported && this.#closed !== undefined) {
      const { code, reason } = this.#closed
      queueMicrotask(() => fn(code, reason))
    }
  }

  #receive(bytes: Uint8Array): void {
    if (this.#closed !== undefined) return
    if (this.#messageHandler === undefined) this.#queue.push(bytes)
    else this.#messageHandler(bytes)
  }

  #remoteClosed(code: number, reason: string): void {
    if (this.#closed !== undefined) return
    this.#closed = { code, reason }
    this.#reportClose()
  }

  #reportClose(): void {
    if (this.#closeReported || this.#closed === undefined) return
    this.#closeReported = true
    this.#closeHandler?.(this.#closed.code, this.#closed.reason)
  }
}
