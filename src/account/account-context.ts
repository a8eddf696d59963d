import { fromHex } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { META } from "./meta-keys.js"
import type { IdentityKeeper, MetaTable, TrustLookup } from "./ports.js"

/**
 * Facts of the account this home belongs to, read once from store meta and
 * passed to the parts that need them (instead of each re-reading `META.accountId`).
 * A reset makes a new account and generation: the daemon reads a new context then
 * (it rebuilds the parts that talk to other devices).
 */
export interface AccountContext {
  /** The account id, 32 hex characters. */
  readonly accountId: string
  /** The same 16 bytes, as entries and keysets bind them. */
  readonly accountIdBytes: Uint8Array
  /** This device's id. */
  readonly deviceId: string
  /** How many times the account was reset (1 at init): devices of older generations are refused. */
  readonly generation: number
}

/** The part of the context fixed for a daemon's life: the account id survives a reset (DESIGN §2), so it is read once at start. */
export type AccountIds = Pick<AccountContext, "accountId" | "accountIdBytes">

/** Reads the context of the account in `store`; NO_ACCOUNT if the home holds none. */
export function readAccountContext(store: Pick<MetaTable, "getMeta"> & Pick<IdentityKeeper, "getIdentity">): AccountContext {
  const accountId = store.getMeta(META.accountId)
  const identity = store.getIdentity()
  if (accountId === undefined || identity === undefined) throw new LanvaultError("NO_ACCOUNT", "this home holds no account: run `lanvault init` or `lanvault join`")
  return { accountId, accountIdBytes: accountIdBytes(accountId), deviceId: identity.deviceId, generation: Number(store.getMeta(META.generation) ?? 1) }
}

/** An account id's 16 bytes from its hex form (the one place this conversion is written). */
export function accountIdBytes(accountIdHex: string): Uint8Array {
  return fromHex(accountIdHex)
}

/** This device's name: its trust entry's (a rename made on another device syncs there), else the one given at init/join. */
export function ownDeviceName(store: Pick<MetaTable, "getMeta"> & Pick<IdentityKeeper, "getIdentity"> & TrustLookup): string {
  const id = store.getIdentity()?.deviceId
  return (id === undefined ? undefined : store.getTrust(id)?.name) ?? store.getMeta(META.deviceName) ?? ""
}
