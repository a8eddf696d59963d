import type { AccountContext } from "../account/index.js"
import { wipe } from "../crypto/index.js"
import { LanvaultError, NotFoundError } from "../errors.js"
import { signRevoke } from "../store/index.js"
import type { VaultService } from "../vault/index.js"
import type { DeviceBook } from "./ports.js"

export interface RevokeDeps {
  vault: Pick<VaultService, "deviceId" | "locked" | "rekey" | "trustKey">
  store: Pick<DeviceBook, "getTrust" | "putTrust" | "head">
  account: Pick<AccountContext, "accountIdBytes">
  network: { disconnect(deviceId: string, reason: "revoked"): void }
  replicator: { publishTrust(): void; publishKeyset(): void }
}

/**
 * Revoke (DESIGN §6): the device is refused from now on, and the account gets a
 * new account key and vault-key epoch, handed to the remaining devices over
 * their secure links (offline ones get them when they next connect).
 */
export function revokeDevice({ vault, store, account, network, replicator }: RevokeDeps, deviceId: string): { deviceId: string; accountKey: string } {
  const device = store.getTrust(deviceId)
  if (!device) throw new NotFoundError(`device ${deviceId}`)
  if (deviceId === vault.deviceId) throw new LanvaultError("NOT_ALLOWED", "a device cannot revoke itself: revoke it from another device, or run `lanvault reset`")
  if (vault.locked) throw new LanvaultError("LOCKED", "the vault is locked: run `lanvault unlock` first (a revoke re-keys the vault)")
  // Signed first (needs the unlocked vault's trust key), then the re-key and the revocation with its cutoff in one
  // store transaction: both are stored or neither (a failed write never leaves the revoked device trusted with the
  // new key on its way), in one turn of the event loop, so no link sees a revocation without its new key, nor a key without it.
  const revokedAt = Date.now()
  const lastSeq = store.head(deviceId)
  const trustKey = vault.trustKey()
  const revokeSig = signRevoke(trustKey.secret, account.accountIdBytes, deviceId, revokedAt, lastSeq)
  wipe(trustKey.secret)
  const { accountKey } = vault.rekey(() => store.putTrust({ ...device, revokedAt, revokeSig, lastSeq }))
  network.disconnect(deviceId, "revoked")
  replicator.publishTrust()
  replicator.publishKeyset()
  return { deviceId, accountKey }
}
