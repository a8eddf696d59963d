import { equalBytes } from "../crypto/index.js"
import type { TrustEntry } from "../store/vault-store.js"
import type { TrustInfo } from "./messages.js"

/** How to merge a peer's trust list. */
export interface TrustMergeOptions {
  /** This device: a peer never renames it. */
  selfId: string | undefined
  /**
   * Whether names of known devices follow the peer's. True for a `trust` message
   * (a change notice), false for `hello` (a state exchange: two devices that
   * disagree would otherwise swap names on every connection).
   */
  adoptNames: boolean
}

/** What merging a peer's trust list changes. */
export interface TrustMergeResult {
  /** Entries to store with `putTrust`, new or changed (without lastSeenAt, which stays local). */
  updates: TrustEntry[]
  /** Whether a device was added or revoked: changes every device must learn, so they are relayed. */
  membershipChanged: boolean
  /** Devices the peer describes with other public keys than ours: ours are kept. */
  keyConflicts: string[]
}

/**
 * Merges a peer's trust list into ours (pure). Union by device id; a
 * revocation is sticky (the earliest revokedAt wins and is never cleared);
 * public keys of a known device never change; a known device's name follows
 * the peer's only when `adoptNames` and it is not this device. This is a
 * join on membership and revocation, so relaying those changes converges.
 */
export function mergeTrust(held: readonly TrustEntry[], incoming: readonly TrustInfo[], options: TrustMergeOptions): TrustMergeResult {
  const byId = new Map(held.map((entry) => [entry.deviceId, entry]))
  const result: TrustMergeResult = { updates: [], membershipChanged: false, keyConflicts: [] }
  for (const info of incoming) {
    const ours = byId.get(info.deviceId)
    if (ours === undefined) {
      result.updates.push(toEntry(info))
      result.membershipChanged = true
      continue
    }
    if (!equalBytes(ours.signPublic, info.signPublic) || !equalBytes(ours.dhPublic, info.dhPublic)) {
      result.keyConflicts.push(info.deviceId)
      continue
    }
    const next = mergeOne(ours, info, options)
    if (next === undefined) continue
    result.updates.push(next.entry)
    if (next.revoked) result.membershipChanged = true
  }
  return result
}

/** Our entry as a peer may see it. */
export function toTrustInfo(entry: TrustEntry): TrustInfo {
  const info: TrustInfo = {
    deviceId: entry.deviceId, name: entry.name, signPublic: entry.signPublic, dhPublic: entry.dhPublic, addedAt: entry.addedAt,
  }
  if (entry.revokedAt !== undefined) info.revokedAt = entry.revokedAt
  return info
}

function mergeOne(ours: TrustEntry, info: TrustInfo, options: TrustMergeOptions): { entry: TrustEntry; revoked: boolean } | undefined {
  const revoked = info.revokedAt !== undefined && (ours.revokedAt === undefined || info.revokedAt < ours.revokedAt)
  const renamed = options.adoptNames && info.deviceId !== options.selfId && info.name !== ours.name
  if (!revoked && !renamed) return undefined
  const entry: TrustEntry = toEntry({ ...toTrustInfo(ours), name: renamed ? info.name : ours.name })
  if (revoked) entry.revokedAt = info.revokedAt
  return { entry, revoked }
}

function toEntry(info: TrustInfo): TrustEntry {
  const entry: TrustEntry = {
    deviceId: info.deviceId, name: info.name, signPublic: info.signPublic.slice(), dhPublic: info.dhPublic.slice(), addedAt: info.addedAt,
  }
  if (info.revokedAt !== undefined) entry.revokedAt = info.revokedAt
  return entry
}

