import { isCloseReason, type Channel } from "../transport/index.js"
import type { PeerLink } from "../sync/index.js"

/** Adapts a transport Channel (Noise over ws) to the PeerLink port sync/ declares. */
export class ChannelLink implements PeerLink {
  private readonly closeListeners: Array<(reason: string) => void> = []
  private closedReason: string | undefined
  /** The channel's own send, bound here: a sync message goes straight to the channel, with no step of this adapter. */
  readonly send: (message: Uint8Array) => void

  constructor(
    private readonly channel: Channel,
    readonly remoteDeviceId: string,
    readonly address: string,
    readonly initiatorDeviceId: string,
  ) {
    this.send = channel.send.bind(channel)
    channel.onClose((info) => {
      this.closedReason = info.reason ?? `closed (${info.code})`
      for (const listener of this.closeListeners) listener(this.closedReason)
    })
  }

  get isClosed(): boolean {
    return this.channel.isClosed
  }

  close(reason: string): void {
    this.channel.close(isCloseReason(reason) ? reason : "protocol error")
  }

  onMessage(listener: (message: Uint8Array) => void): void {
    this.channel.onMessage(listener)
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason)
    else this.closeListeners.push(listener)
  }
}
