import { LanvaultError } from "../errors.js"
import { MAX_MESSAGE_BYTES } from "../limits.js"
import { concatBytes } from "../crypto/bytes.js"
import { FRAME_FINAL, FRAME_HEADER_BYTES, FRAME_MORE, chunkMessage } from "./channel-frames.js"
import { closeCodeOf, closeReasonOf, type CloseInfo, type CloseReason } from "./close-reasons.js"
import type { FrameSocket } from "./frame-socket.js"
import type { TransportKeys } from "./noise.js"
import { NOISE_MAX_MESSAGE_BYTES } from "./noise-suite.js"

/** Largest application message a link carries by default. */
export { MAX_MESSAGE_BYTES }

/** Options of a {@link Channel}. */
export interface ChannelOptions {
  /** Largest application message sent or accepted; larger -> MESSAGE_TOO_LARGE. */
  maxMessageBytes?: number
}

/**
 * An encrypted, authenticated link after a Noise handshake: each socket
 * message is one Noise transport message (≤ 65,535 bytes) and application
 * messages of any size up to `maxMessageBytes` are chunked and reassembled.
 *
 * The receive nonce counter makes a tampered, replayed, reordered or dropped
 * frame fail to decrypt; then, as on any malformed input, the link is closed
 * with a reason the peer can show, and nothing is thrown to the socket.
 */
export class Channel {
  readonly maxMessageBytes: number
  readonly #socket: FrameSocket
  readonly #keys: TransportKeys
  #messageHandler: ((message: Uint8Array) => void) | undefined
  #closeHandler: ((info: CloseInfo) => void) | undefined
  #inbox: Uint8Array[] = []
  #chunks: Uint8Array[] = []
  #chunkBytes = 0
  #closed: CloseInfo | undefined

  constructor(socket: FrameSocket, keys: TransportKeys, options: ChannelOptions = {}) {
    this.#socket = socket
    this.#keys = keys
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES
    socket.onMessage((bytes) => this.#onFrame(bytes))
    socket.onClose((code) => this.#finish({ code, reason: closeReasonOf(code), local: false }))
  }

  /** How the link ended, or undefined while it is open. */
  get closeInfo(): CloseInfo | undefined {
    return this.#closed
  }

  /** Whether the link has ended. */
  get isClosed(): boolean {
    return this.#closed !== undefined
  }

  /**
   * Encrypts and sends one application message (chunked as needed).
   * Throws `MESSAGE_TOO_LARGE` above `maxMessageBytes`, `PROTOCOL_ERROR` once closed.
   */
  send(message: Uint8Array): void {
    if (this.#closed !== undefined) throw new LanvaultError("PROTOCOL_ERROR", `the link is closed (${this.#closed.reason ?? this.#closed.code})`)
    if (message.length > this.maxMessageBytes) {
      throw new LanvaultError("MESSAGE_TOO_LARGE", `message of ${message.length} bytes exceeds the ${this.maxMessageBytes}-byte limit`)
    }
    for (const frame of chunkMessage(message)) {
      let ciphertext: Uint8Array
      try {
        ciphertext = this.#keys.send.encrypt(frame)
      } catch (cause) {
        this.close("protocol error")
        throw cause
      }
      this.#socket.send(ciphertext)
    }
  }

  /**
   * Sets the handler of incoming messages (replacing any previous one); messages
   * that arrived before it, even before a close, are delivered to it first.
   * Like an EventEmitter listener, the handler should not throw.
   */
  onMessage(fn: (message: Uint8Array) => void): void {
    this.#messageHandler = fn
    while (this.#inbox.length > 0 && this.#messageHandler === fn) fn(this.#inbox.shift() as Uint8Array)
  }

  /** Sets the handler called once when the link ends (at once if it already has). */
  onClose(fn: (info: CloseInfo) => void): void {
    this.#closeHandler = fn
    const closed = this.#closed
    if (closed !== undefined) queueMicrotask(() => fn(closed))
  }

  /** Closes the link with a reason the peer can show; idempotent. */
  close(reason: CloseReason = "normal closure"): void {
    if (this.#closed !== undefined) return
    this.#socket.close(closeCodeOf(reason), reason)
    this.#finish({ code: closeCodeOf(reason), reason, local: true })
  }

  #onFrame(bytes: Uint8Array): void {
    if (this.#closed !== undefined) return
    if (bytes.length > NOISE_MAX_MESSAGE_BYTES) return this.close("message too large")
    let plaintext: Uint8Array
    try {
      plaintext = this.#keys.receive.decrypt(bytes)
    } catch {
      return this.close("protocol error")
    }
    this.#onPlaintext(plaintext)
  }

  #onPlaintext(plaintext: Uint8Array): void {
    const type = plaintext[0]
    if (plaintext.length < FRAME_HEADER_BYTES || (type !== FRAME_MORE && type !== FRAME_FINAL)) {
      return this.close("protocol error")
    }
    const data = plaintext.subarray(FRAME_HEADER_BYTES)
    this.#chunkBytes += data.length
    if (this.#chunkBytes > this.maxMessageBytes) return this.close("message too large")
    this.#chunks.push(data)
    if (type === FRAME_MORE) return
    const message = this.#chunks.length === 1 ? this.#chunks[0] : concatBytes(...this.#chunks)
    this.#chunks = []
    this.#chunkBytes = 0
    if (this.#messageHandler === undefined) this.#inbox.push(message)
    else this.#messageHandler(message)
  }

  #finish(info: CloseInfo): void {
    if (this.#closed !== undefined) return
    this.#closed = info
    this.#chunks = []
    this.#keys.send.destroy()
    this.#keys.receive.destroy()
    this.#closeHandler?.(info)
  }
}
