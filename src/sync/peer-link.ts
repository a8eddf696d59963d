/**
 * An authenticated, encrypted, ordered, reliable message link to one trusted
 * device: the narrow port sync/ needs from transport/ (the daemon adapts a
 * Noise channel to it).
 */
export interface PeerLink {
  /** The device at the other end, as the handshake proved it (32 lower-case hex). */
  readonly remoteDeviceId: string
  /** Where it is, for logs and status ("10.0.0.5:47110"). */
  readonly address: string
  /** Sends one application message of up to 16 MiB (chunking is the link's job). May throw once closed. */
  send(message: Uint8Array): void
  /** Closes the link; `reason` is one the link maps to a close code ("protocol error", "normal closure"…). */
  close(reason: string): void
  /** Delivers each received message, in order. */
  onMessage(listener: (message: Uint8Array) => void): void
  /** Called once when the link ends, from either side. */
  onClose(listener: (reason: string) => void): void
}
