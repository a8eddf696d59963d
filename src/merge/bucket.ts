import { sha256, utf8 } from "../crypto/index.js"
import { InvalidParamsError } from "../errors.js"

/** Buckets a new vault uses: ≈150 records per Automerge document at 10k records (DESIGN §5). */
export const DEFAULT_BUCKET_COUNT = 64

/** A log entry carries the bucket as a u16, so no vault can have more. */
export const MAX_BUCKET_COUNT = 65_536

/**
 * The bucket (Automerge document) a record lives in: the first four bytes of
 * SHA-256 of its id, big-endian, modulo the bucket count. Part of the storage
 * format: every device must compute the same bucket for an id, forever.
 */
export function bucketOf(recordId: string, bucketCount: number): number {
  const digest = sha256(utf8(recordId))
  const word = ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0
  return word % bucketCount
}

/** Checks a bucket count given by a caller; throws InvalidParamsError. */
export function checkBucketCount(bucketCount: number): void {
  if (!Number.isInteger(bucketCount) || bucketCount < 1 || bucketCount > MAX_BUCKET_COUNT) {
    throw new InvalidParamsError(`bucket count must be an integer from 1 to ${MAX_BUCKET_COUNT}, got ${bucketCount}`)
  }
}
