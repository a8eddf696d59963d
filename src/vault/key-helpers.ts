import { randomInt } from "node:crypto"
import { parseKeyset, readAccountKey, unwrapKeyset, type IdentityKeeper, type VaultKeys, type WrappedKeyset } from "../account/index.js"
import { combineUnlockKey, signPublicKey, wipe } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"

const MAX_EPOCH_ID = 0xffff_ffff

/** A random epoch id not yet in use (u32, as log entries carry it). */
export function newEpochId(taken: ReadonlyMap<number, unknown>): number {
  for (;;) {
    const epoch = randomInt(1, MAX_EPOCH_ID)
    if (!taken.has(epoch)) return epoch
  }
}

export function tryParseKeyset(blob: Uint8Array): WrappedKeyset | undefined {
  try {
    return parseKeyset(blob)
  } catch {
    return undefined
  }
}

export function readAccountKeyIfAny(home: string): Uint8Array | undefined {
  try {
    return readAccountKey(home)
  } catch {
    return undefined
  }
}

/** The vault keys `keyset` holds, opened with a password key and an account key; undefined if they do not open it. */
export function openKeyset(keyset: WrappedKeyset, slow: Uint8Array, accountKey: Uint8Array, accountId: Uint8Array): VaultKeys | undefined {
  const unlockKey = combineUnlockKey(slow, accountKey, accountId)
  try {
    return unwrapKeyset(keyset, unlockKey, accountId)
  } catch {
    return undefined
  } finally {
    wipe(unlockKey)
  }
}

/** This device's identity with its signing public key; NO_ACCOUNT if the home has none. */
export function readIdentity(store: Pick<IdentityKeeper, "getIdentity">, home: string): { deviceId: string; signSecret: Uint8Array; signPublic: Uint8Array } {
  const identity = store.getIdentity()
  if (!identity) throw new LanvaultError("NO_ACCOUNT", `${home} holds no account: run \`lanvault init\``)
  return { deviceId: identity.deviceId, signSecret: identity.signSecret, signPublic: signPublicKey(identity.signSecret) }
}
