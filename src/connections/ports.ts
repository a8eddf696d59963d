import type { DeviceIdentity, TrustEntry } from "../store/vault-store.js"

/**
 * The parts of the store connections/ reads and writes, declared here so the
 * peer network and the address book name the few methods they use (the SQLite
 * store implements them; only the composition root holds the whole store).
 */

/** Small named settings: the remembered, added and shared peer addresses. */
export interface AddressShelf {
  getMeta(key: string): string | undefined
  setMeta(key: string, value: string): void
}

/** Who may link: the trust list, looked up by device, and the last time each was seen. */
export interface LinkTrust {
  trustList(): TrustEntry[]
  getTrust(deviceId: string): TrustEntry | undefined
  /** Records contact with a device; only moves forward. */
  touchTrust(deviceId: string, lastSeenAt: number): void
}

/** This device's secret identity, read for the Noise handshake. */
export interface LinkIdentity {
  getIdentity(): DeviceIdentity | undefined
}

/** What the peer network needs of the store. */
export type PeerNetworkStore = AddressShelf & LinkTrust & LinkIdentity
