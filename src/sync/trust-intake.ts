import type { Logger } from "../log.js"
import type { TrustInfo } from "./messages.js"
import type { TrustBook } from "./ports.js"
import { mergeTrust, type TrustChecks } from "./trust-merge.js"

/** What taking a peer's trust list needs. */
export interface TrustIntakeDeps {
  store: Pick<TrustBook, "trustList" | "putTrust"> & { transaction<T>(fn: () => T): T }
  logger: Logger
  selfDeviceId?: string
  trustChecks: TrustChecks
}

/** What a peer's trust list changed here. */
export interface TrustIntake {
  /** The peer showed a signed revocation of this device. */
  selfRevoked: boolean
  /** Entries were stored. */
  changed: boolean
  /** A device was added or revoked (relay it). */
  membershipChanged: boolean
}

/**
 * Merges a trust list from peer `from` (trust-merge.ts decides), logs what was
 * refused and stores the updates in one transaction.
 */
export function takeTrust(deps: TrustIntakeDeps, from: string, devices: TrustInfo[]): TrustIntake {
  const { store, logger, selfDeviceId } = deps
  const result = mergeTrust(store.trustList(), devices, { selfId: selfDeviceId, checks: deps.trustChecks })
  for (const deviceId of result.keyConflicts) {
    logger.warn("a peer describes a known device with other keys; ours were kept", { deviceId: from, device: deviceId })
  }
  if (result.unauthenticated.length > 0) {
    logger.warn("ignored trust-list changes a peer sent without the account's signature", { deviceId: from, devices: result.unauthenticated })
  }
  if (result.selfRevoked) logger.warn("another device removed this device from the account", { deviceId: from })
  if (result.updates.length > 0) {
    store.transaction(() => {
      for (const entry of result.updates) store.putTrust(entry)
    })
  }
  return { selfRevoked: result.selfRevoked, changed: result.updates.length > 0, membershipChanged: result.membershipChanged }
}
