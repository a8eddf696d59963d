import { sha256 } from "../crypto/index.js"
import type { KeysetRow } from "./vault-store.js"

/** A keyset's place in the order every device agrees on: version, then digest. */
export interface KeysetRank {
  version: number
  /** SHA-256 of the stored blob; all zeros for "no keyset". */
  digest: Uint8Array
}

/** Digest length carried in `hello` and account-key notices. */
export const KEYSET_DIGEST_BYTES = 32

/** The rank of "no keyset": below every real one. */
export const NO_KEYSET: KeysetRank = { version: 0, digest: new Uint8Array(KEYSET_DIGEST_BYTES) }

export function keysetRank(row: KeysetRow | undefined): KeysetRank {
  return row === undefined ? NO_KEYSET : { version: row.version, digest: sha256(row.blob) }
}

/**
 * Orders keysets: the higher version wins, and two keysets of the same version
 * (made on both sides of a partition) are ordered by digest, so every device
 * picks the same one. Negative, zero or positive like a sort comparator.
 */
export function compareKeysetRanks(a: KeysetRank, b: KeysetRank): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1
  return Buffer.compare(a.digest, b.digest)
}

/** Whether `candidate` takes the place of `held` (strictly later in the order). */
export function keysetBeats(candidate: KeysetRow, held: KeysetRow | undefined): boolean {
  return compareKeysetRanks(keysetRank(candidate), keysetRank(held)) > 0
}
