import { utf8 } from "../crypto/index.js"
import type { Logger } from "../log.js"
import type { TrustEntry } from "../store/index.js"

/** The control-message kind that carries addresses added by hand. */
export const PEERS_NOTICE = "peers"
const MAX_SHARED_PEERS = 64

export interface PeerSharingDeps {
  /** The addresses added by hand that reached a device, with its id. */
  shareable: () => Array<{ address: string; deviceId?: string }>
  /** Dials addresses another device shared. */
  learn: (addresses: string[]) => void
  /** Sends a control notice to one device, or "all". */
  sendControl: (target: string, kind: string, body: Uint8Array) => void
  getTrust: (deviceId: string) => TrustEntry | undefined
  selfId: string | undefined
  logger: Logger
}

/**
 * Addresses given with `lanvault peer add` reach every device (DESIGN §7: for
 * networks that block multicast, an address given once is enough): sent as a
 * "peers" notice, and learnt from a peer's notice unless it names this device
 * or a revoked one.
 */
export class PeerSharing {
  constructor(private readonly deps: PeerSharingDeps) {}

  /** Tells a device (or all) the addresses added by hand. */
  share(target = "all"): void {
    const reached = this.deps.shareable()
    if (reached.length > 0) this.deps.sendControl(target, PEERS_NOTICE, utf8(JSON.stringify(reached.slice(0, MAX_SHARED_PEERS))))
  }

  /** A peer's "peers" notice; a malformed one is ignored. */
  learn(body: Uint8Array): void {
    try {
      const list = JSON.parse(new TextDecoder().decode(body)) as Array<{ address?: unknown; deviceId?: unknown }>
      if (!Array.isArray(list)) return
      const addresses = list
        .filter((p) => typeof p?.address === "string" && p.deviceId !== this.deps.selfId && this.deps.getTrust(String(p.deviceId))?.revokedAt === undefined)
        .map((p) => p.address as string)
        .slice(0, MAX_SHARED_PEERS)
      this.deps.learn(addresses)
    } catch {
      this.deps.logger.debug("ignored a malformed peers notice")
    }
  }
}
