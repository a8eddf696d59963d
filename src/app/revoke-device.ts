import { LanvaultError, NotFoundError } from "../errors.js"
import type { VaultStore } from "../store/index.js"
import type { VaultService } from "../vault/index.js"

export interface RevokeDeps {
  vault: Pick<VaultService, "identity" | "locked" | "rekey">
  store: Pick<VaultStore, "getTrust" | "revokeTrust">
  network: { disconnect(deviceId: string, reason: "revoked"): void }
  replicator: { publishTrust(): void; publishKeyset(): void }
}

/**
 * Revoke (DESIGN §6): the device is refused from now on, and the account gets a
 * new account key and vault-key epoch, handed to the remaining devices over
 * their secure links (offline ones get them when they next connect).
 */
export function revokeDevice({ vault, store, network, replicator }: RevokeDeps, deviceId: string): { deviceId: string; accountKey: string } {
  const device = store.getTrust(deviceId)
  if (!device) throw new NotFoundError(`device ${deviceId}`)
  if (deviceId === vault.identity().deviceId) throw new LanvaultError("NOT_ALLOWED", "a device cannot revoke itself: revoke it from another device, or run `lanvault reset`")
  if (vault.locked) throw new LanvaultError("LOCKED", "the vault is locked: run `lanvault unlock` first (a revoke re-keys the vault)")
  store.revokeTrust(deviceId, Date.now())
  network.disconnect(deviceId, "revoked")
  const { accountKey } = vault.rekey()
  replicator.publishTrust()
  replicator.publishKeyset()
  return { deviceId, accountKey }
}
