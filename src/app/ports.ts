import type { TrustEntry, VersionVector } from "../store/vault-store.js"

/**
 * The trust list and log heads as the use cases about devices read and change
 * them (list, rename, revoke, history's device names), declared here; the SQLite
 * store implements it. Meta settings come through account/'s MetaTable.
 */
export interface DeviceBook {
  /** Every device, revoked ones included. */
  trustList(): TrustEntry[]
  getTrust(deviceId: string): TrustEntry | undefined
  putTrust(entry: TrustEntry): void
  versionVector(): VersionVector
  /** Highest seq held for a device (a revocation carries it). */
  head(deviceId: string): number
}
