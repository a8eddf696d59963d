import { randomBytes } from "../../../src/crypto/bytes.js"
import { Channel, type ChannelOptions } from "../../../src/transport/channel.js"
import type { CloseInfo } from "../../../src/transport/close-reasons.js"
import type { FrameSocket } from "../../../src/transport/frame-socket.js"
import { MemoryFrameSocket } from "../../../src/transport/memory-socket.js"
import { NOISE_XX, NoiseHandshake, type TransportKeys } from "../../../src/transport/noise.js"

/**
 * Wraps a socket and records what it sends; `hold` keeps sends back so a
 * test can drop, reorder, replay or tamper with them, then `release` them.
 */
export class TapSocket implements FrameSocket {
  readonly sent: Uint8Array[] = []
  hold = false
  readonly held: Uint8Array[] = []

  constructor(readonly inner: FrameSocket) {}

  send(bytes: Uint8Array): void {
    this.sent.push(bytes.slice())
    if (this.hold) this.held.push(bytes.slice())
    else this.inner.send(bytes)
  }

  /** Puts raw bytes on the wire, bypassing the channel. */
  inject(bytes: Uint8Array): void {
    this.inner.send(bytes)
  }

  close(code: number, reason: string): void {
    this.inner.close(code, reason)
  }

  onMessage(fn: (bytes: Uint8Array) => void): void {
    this.inner.onMessage(fn)
  }

  onClose(fn: (code: number, reason: string) => void): void {
    this.inner.onClose(fn)
  }
}

/** Transport keys of a finished in-memory XX handshake. */
export function transportKeys(): { a: TransportKeys; b: TransportKeys } {
  const initiator = new NoiseHandshake({ protocolName: NOISE_XX, initiator: true, staticSecret: randomBytes(32) })
  const responder = new NoiseHandshake({ protocolName: NOISE_XX, initiator: false, staticSecret: randomBytes(32) })
  responder.readMessage(initiator.writeMessage())
  initiator.readMessage(responder.writeMessage())
  responder.readMessage(initiator.writeMessage())
  return { a: initiator.split(), b: responder.split() }
}

/** Two channels joined in memory; `tap` sits on a's sending side. */
export function channelPair(options: { a?: ChannelOptions; b?: ChannelOptions } = {}) {
  const [left, right] = MemoryFrameSocket.pair()
  const tap = new TapSocket(left)
  const keys = transportKeys()
  const a = new Channel(tap, keys.a, options.a)
  const b = new Channel(right, keys.b, options.b)
  return { a, b, tap, keys, right }
}

/** Resolves with the channel's close info. */
export function closed(channel: Channel): Promise<CloseInfo> {
  return new Promise((resolve) => channel.onClose(resolve))
}

/** Resolves with the next `count` messages of a channel. */
export function messages(channel: Channel, count: number): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const received: Uint8Array[] = []
    channel.onMessage((message) => {
      received.push(message)
      if (received.length === count) resolve(received)
    })
  })
}

/** Lets every pending setImmediate delivery run. */
export function settle(rounds = 5): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number): void => {
      if (left === 0) resolve()
      else setImmediate(() => step(left - 1))
    }
    step(rounds)
  })
}
