import type { RawData, WebSocket } from "ws"
import { closeCodeOf } from "./close-reasons.js"
import type { FrameSocket } from "./frame-socket.js"
import { NOISE_MAX_MESSAGE_BYTES } from "./noise-suite.js"

/**
 * ws's own limit, for listener and dialler alike: a little above one Noise message, so a slightly
 * oversized frame reaches the channel and is closed with "message too large"; anything beyond is
 * cut by ws (close 1009).
 */
export const MAX_PAYLOAD_BYTES = NOISE_MAX_MESSAGE_BYTES + 1_024

/** After our close frame, how long the peer gets to answer before the TCP link is cut. */
const CLOSE_GRACE_MS = 2_000
/** Close code when the link dropped without a close frame (RFC 6455 §7.4.1). */
const ABNORMAL_CLOSE_CODE = 1006

/**
 * A {@link FrameSocket} on a `ws` WebSocket: binary messages only (a text
 * message closes the link with "protocol error"), queued until a handler is
 * set, and a close that always ends in a single close report.
 */
export class WsFrameSocket implements FrameSocket {
  #messageHandler: ((bytes: Uint8Array) => void) | undefined
  #closeHandler: ((code: number, reason: string) => void) | undefined
  #queue: Uint8Array[] = []
  #closed: { code: number; reason: string } | undefined
  #graceTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly ws: WebSocket,
    /** The peer's IP address as the socket saw it. */
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    ws.on("message", (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary))
    ws.on("close", (code: number, reason: Buffer) => this.#onClosed(code, reason.toString("utf8")))
    // 'close' always follows 'error'; listening keeps an error from crashing the process.
    ws.on("error", () => undefined)
  }

  /** Whether the close has been reported (by either side). */
  get isClosed(): boolean {
    return this.#closed !== undefined
  }

  send(bytes: Uint8Array): void {
    if (this.#closed !== undefined || this.ws.readyState !== this.ws.OPEN) return
    this.ws.send(bytes, { binary: true }, () => undefined)
  }

  close(code: number, reason: string): void {
    if (this.#closed !== undefined || this.#graceTimer !== undefined) return
    try {
      this.ws.close(code, reason)
    } catch {
      this.ws.terminate()
    }
    this.#graceTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS)
    this.#graceTimer.unref()
  }

  onMessage(fn: (bytes: Uint8Array) => void): void {
    this.#messageHandler = fn
    while (this.#queue.length > 0 && this.#messageHandler === fn) fn(this.#queue.shift() as Uint8Array)
  }

  onClose(fn: (code: number, reason: string) => void): void {
    this.#closeHandler = fn
    const closed = this.#closed
    if (closed !== undefined) queueMicrotask(() => fn(closed.code, closed.reason))
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closed !== undefined || this.#graceTimer !== undefined) return
    if (!isBinary) return this.close(closeCodeOf("protocol error"), "protocol error")
    const bytes = toBytes(data)
    if (this.#messageHandler === undefined) this.#queue.push(bytes)
    else this.#messageHandler(bytes)
  }

  #onClosed(code: number, reason: string): void {
    if (this.#closed !== undefined) return
    clearTimeout(this.#graceTimer)
    this.#closed = { code: code || ABNORMAL_CLOSE_CODE, reason }
    this.#closeHandler?.(this.#closed.code, reason)
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0))
  return new Uint8Array(data)
}
