import type { PeerSource, PeerStatus } from "./peer-network.js"

/** One line of `status`'s peers: a linked device, or an address being dialled. */
export interface PeerLine {
  deviceId?: string
  name?: string
  address: string
  how: PeerSource | "incoming"
  state: string
}

/**
 * Merges the live sync sessions with the dialers: a linked device shows once
 * (with the dialled address and how it was found, else "incoming"), then every
 * dialer not linked, with its last error.
 */
export function peerOverview(
  sessions: ReadonlyArray<{ remoteDeviceId: string; address: string; state: string }>,
  dialers: readonly PeerStatus[],
  nameOf: (deviceId: string) => string | undefined,
): PeerLine[] {
  const dialled = new Map(dialers.filter((d) => d.deviceId).map((d) => [d.deviceId!, d]))
  const linked = sessions.map((s) => ({
    deviceId: s.remoteDeviceId, name: nameOf(s.remoteDeviceId), address: dialled.get(s.remoteDeviceId)?.address ?? s.address,
    how: dialled.get(s.remoteDeviceId)?.how ?? ("incoming" as const), state: s.state,
  }))
  const waiting = dialers
    .filter((d) => !sessions.some((s) => s.remoteDeviceId === d.deviceId))
    .map((d) => ({ deviceId: d.deviceId, name: d.deviceId ? nameOf(d.deviceId) : undefined, address: d.address, how: d.how, state: d.lastError ? `${d.state}: ${d.lastError}` : d.state }))
  return [...linked, ...waiting]
}
