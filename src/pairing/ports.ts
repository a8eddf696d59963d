import type { DeviceIdentity, KeysetRow, TrustEntry } from "../store/vault-store.js"

/**
 * What the pairing host reads and writes of the store, declared here (the SQLite
 * store implements it): this device's Noise static key for the handshake, the
 * trust list a new device joins, and the keyset and meta its welcome carries.
 */
export interface PairingStore {
  getIdentity(): DeviceIdentity | undefined
  getTrust(deviceId: string): TrustEntry | undefined
  putTrust(entry: TrustEntry): void
  /** Every device, revoked ones included. */
  trustList(): TrustEntry[]
  getKeyset(): KeysetRow | undefined
  getMeta(key: string): string | undefined
}
