import { LanvaultError } from "../errors.js"

/**
 * A peer's `hello` names another sync protocol version (PROTOCOL_ERROR): the
 * message says which side needs updating. An older peer's link is closed as
 * "older protocol version", which that device shows.
 */
export class ProtocolVersionError extends LanvaultError {
  /** Whether the peer's version is older than this device's. */
  readonly older: boolean

  constructor(readonly peerVersion: number, ownVersion: number) {
    super("PROTOCOL_ERROR", peerVersion < ownVersion
      ? `the peer speaks an older sync protocol (${peerVersion}; this device speaks ${ownVersion}): update lanvault on that device`
      : `the peer speaks a newer sync protocol (${peerVersion}; this device speaks ${ownVersion}): update lanvault on this device`)
    this.older = peerVersion < ownVersion
  }
}
