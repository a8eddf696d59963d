import { equalBytes } from "../crypto/index.js"
import type { TrustEntry } from "../store/vault-store.js"
import type { TrustInfo } from "./messages.js"

/** Checks a trust item's signatures by the account's trust key (store/trust-proof.ts' TrustVerifier). */
export interface TrustChecks {
  added(info: TrustInfo): boolean
  revoked(info: TrustInfo): boolean
  renamed(info: TrustInfo): boolean
}

/** How to merge a peer's trust list. */
export interface TrustMergeOptions {
  /** This device: a peer never adds or revokes it here (a newer rename of it is taken like any other). */
  selfId: string | undefined
  /**
   * The trust key's signatures: a device is added, and a revocation taken,
   * only with one (made by an unlocked device), so a locked device can store
   * and forward them but never make them.
   */
  checks: TrustChecks
}

/** What merging a peer's trust list changes. */
export interface TrustMergeResult {
  /** Entries to store with `putTrust`, new or changed (without lastSeenAt, which stays local). */
  updates: TrustEntry[]
  /** Whether a device was added, revoked or renamed: changes every device must learn, so they are relayed. */
  membershipChanged: boolean
  /** Devices the peer describes with other public keys than ours: ours are kept. */
  keyConflicts: string[]
  /** Additions, revocations or renames without a valid signature of the trust key: ignored. */
  unauthenticated: string[]
  /** A signed revocation of this device itself: never stored, only reported ("you were removed"). */
  selfRevoked: boolean
}

/**
 * Merges a peer's trust list into ours (pure). Union by device id, for
 * additions signed by the trust key; a signed revocation is sticky (the earliest revokedAt wins and is never cleared);
 * public keys of a known device never change; a name follows the newest
 * rename signed by the trust key (`renamedAt`, then the greater name on a tie), from a hello as from a
 * notice; an unsigned or badly signed rename is ignored. This is a join on membership, revocation and names, so relaying
 * those changes converges.
 */
export function mergeTrust(held: readonly TrustEntry[], incoming: readonly TrustInfo[], options: TrustMergeOptions): TrustMergeResult {
  const byId = new Map(held.map((entry) => [entry.deviceId, entry]))
  const result: TrustMergeResult = { updates: [], membershipChanged: false, keyConflicts: [], unauthenticated: [], selfRevoked: false }
  for (let info of incoming) {
    const ours = byId.get(info.deviceId)
    if (ours === undefined) {
      if (!options.checks.added(info) || info.deviceId === options.selfId) {
        result.unauthenticated.push(info.deviceId)
        continue
      }
      const entry = toEntry(info)
      if (entry.revokedAt !== undefined && !options.checks.revoked(info)) stripRevocation(entry)
      if (entry.renamedAt !== undefined && !options.checks.renamed(info)) stripRename(entry)
      result.updates.push(entry)
      result.membershipChanged = true
      continue
    }
    if (!equalBytes(ours.signPublic, info.signPublic) || !equalBytes(ours.dhPublic, info.dhPublic)) {
      result.keyConflicts.push(info.deviceId)
      continue
    }
    const revokes = info.revokedAt !== undefined && (ours.revokedAt === undefined || info.revokedAt < ours.revokedAt)
    if (revokes && !options.checks.revoked(info)) {
      result.unauthenticated.push(info.deviceId)
      info = { ...info }
      stripRevocation(info)
    } else if (revokes && info.deviceId === options.selfId) {
      result.selfRevoked = true
      info = { ...info }
      stripRevocation(info)
    }
    if (newerName(ours, info) && !options.checks.renamed(info)) {
      // A rename only an unlocked device could sign: without it the held name stays.
      result.unauthenticated.push(info.deviceId)
      info = { ...info }
      stripRename(info)
    }
    const next = mergeOne(ours, info, options)
    if (next === undefined) continue
    result.updates.push(next.entry)
    if (next.revoked || next.renamed) result.membershipChanged = true
  }
  return result
}

/** Our entry as a peer may see it. */
export function toTrustInfo(entry: TrustEntry): TrustInfo {
  const info: TrustInfo = {
    deviceId: entry.deviceId, name: entry.name, signPublic: entry.signPublic, dhPublic: entry.dhPublic, addedAt: entry.addedAt,
  }
  if (entry.revokedAt !== undefined) info.revokedAt = entry.revokedAt
  if (entry.addSig !== undefined) info.addSig = entry.addSig
  if (entry.revokeSig !== undefined) info.revokeSig = entry.revokeSig
  if (entry.lastSeq !== undefined) info.lastSeq = entry.lastSeq
  if (entry.renamedAt !== undefined) info.renamedAt = entry.renamedAt
  if (entry.renameSig !== undefined) info.renameSig = entry.renameSig
  return info
}

/**
 * Whether `incoming`'s name replaces `held`'s: the later rename wins; a name
 * without a rename time (given at pairing) loses to any rename; on equal times
 * the greater name wins, so every device picks the same one.
 */
export function newerName(held: Pick<TrustEntry, "name" | "renamedAt">, incoming: Pick<TrustEntry, "name" | "renamedAt">): boolean {
  if (incoming.renamedAt === undefined || incoming.name === held.name && incoming.renamedAt === held.renamedAt) return false
  if (held.renamedAt === undefined || incoming.renamedAt > held.renamedAt) return true
  return incoming.renamedAt === held.renamedAt && incoming.name > held.name
}

function stripRevocation(entry: TrustInfo): void {
  delete entry.revokedAt
  delete entry.revokeSig
  delete entry.lastSeq
}

function stripRename(entry: TrustInfo): void {
  delete entry.renamedAt
  delete entry.renameSig
}

function mergeOne(ours: TrustEntry, info: TrustInfo, options: TrustMergeOptions): { entry: TrustEntry; revoked: boolean; renamed: boolean } | undefined {
  const revoked = info.revokedAt !== undefined && (ours.revokedAt === undefined || info.revokedAt < ours.revokedAt)
  const renamed = newerName(ours, info)
  // A legacy entry of ours without an addition signature takes a valid one (it can then be relayed).
  const signs = ours.addSig === undefined && info.addSig !== undefined && options.checks.added(info)
  if (!revoked && !renamed && !signs) return undefined
  const entry: TrustEntry = toEntry(renamed ? { ...toTrustInfo(ours), name: info.name, renamedAt: info.renamedAt, renameSig: info.renameSig } : toTrustInfo(ours))
  if (signs) entry.addSig = info.addSig
  if (revoked) {
    entry.revokedAt = info.revokedAt
    entry.revokeSig = info.revokeSig
    entry.lastSeq = info.lastSeq
  }
  return { entry, revoked, renamed }
}

function toEntry(info: TrustInfo): TrustEntry {
  const entry: TrustEntry = {
    deviceId: info.deviceId, name: info.name, signPublic: info.signPublic.slice(), dhPublic: info.dhPublic.slice(), addedAt: info.addedAt,
  }
  if (info.revokedAt !== undefined) entry.revokedAt = info.revokedAt
  if (info.addSig !== undefined) entry.addSig = info.addSig.slice()
  if (info.revokeSig !== undefined) entry.revokeSig = info.revokeSig.slice()
  if (info.lastSeq !== undefined) entry.lastSeq = info.lastSeq
  if (info.renamedAt !== undefined) entry.renamedAt = info.renamedAt
  if (info.renameSig !== undefined) entry.renameSig = info.renameSig.slice()
  return entry
}

