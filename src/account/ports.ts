import type { DeviceIdentity, KeysetRow, TrustEntry } from "../store/vault-store.js"

/**
 * The parts of the store account/ (and the folders above it) read and write,
 * declared here so each consumer names the few methods it uses (the SQLite
 * store implements them all; only the composition root holds the whole store).
 */

/** The meta table: small named settings of this home (account/meta-keys.ts names the account's). */
export interface MetaTable {
  getMeta(key: string): string | undefined
  setMeta(key: string, value: string): void
  deleteMeta(key: string): void
}

/** The wrapped keyset as it is read and replaced (only by one that ranks above: says whether it was stored). */
export interface KeysetShelf {
  getKeyset(): KeysetRow | undefined
  putKeyset(version: number, blob: Uint8Array): boolean
}

/** This device's secret identity (the store file is mode 0600). */
export interface IdentityKeeper {
  getIdentity(): DeviceIdentity | undefined
  /** This device's id alone: its secrets are not opened (what a check on every write needs). */
  getDeviceId(): string | undefined
  setIdentity(identity: DeviceIdentity): void
}

/** One device's trust entry, looked up (its name, whether it was revoked). */
export interface TrustLookup {
  getTrust(deviceId: string): TrustEntry | undefined
}

/** What init, reset and join write: a fresh account in place of whatever the store held. */
export interface AccountStore extends MetaTable, KeysetShelf, IdentityKeeper {
  putTrust(entry: TrustEntry): void
  /** Deletes entries, floors, snapshots, keyset and trust list (meta and identity are the caller's). */
  wipeAccountData(): void
  clearSnapshots(): void
  /** Folds the write-ahead log into the database, so replaced key material leaves the WAL. */
  checkpoint?(): void
  transaction<T>(fn: () => T): T
}

/** What snapshot signing reads: this device's signing key and the keyset's epochs. */
export type SnapshotSource = Pick<KeysetShelf, "getKeyset"> & Pick<IdentityKeeper, "getIdentity">
