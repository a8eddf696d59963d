/**
 * The narrow port the channel and the handshake run on: a message-oriented,
 * ordered, reliable link carrying binary messages (a WebSocket, or an
 * in-memory pair in tests).
 */
export interface FrameSocket {
  /** Sends one binary message; a no-op once the socket is closed. */
  send(bytes: Uint8Array): void
  /** Closes the link with a code (4000–4999 for lanvault reasons) and a short text. */
  close(code: number, reason: string): void
  /**
   * Sets the handler for incoming messages, replacing any previous one.
   * Messages that arrive while no handler is set are queued for the next one.
   */
  onMessage(fn: (bytes: Uint8Array) => void): void
  /**
   * Sets the handler called once when the link has closed (either side),
   * replacing any previous one; called at once if it is already closed.
   */
  onClose(fn: (code: number, reason: string) => void): void
}
