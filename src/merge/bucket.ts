import { randomBytes, sha256, toHex, utf8 } from "../crypto/index.js"
import { InvalidParamsError } from "../errors.js"

/**
 * How many buckets ids that do not name one are hashed over (see bucketOf): 64
 * for every vault so far. Stored with the vault (meta `vault.bucketCount`).
 */
export const DEFAULT_BUCKET_COUNT = 64

/** A log entry carries the bucket as a u16, so no vault can have more. */
export const MAX_BUCKET_COUNT = 65_536

/**
 * A bucket this full takes no new records: an edit costs time proportional to
 * its bucket's records (DESIGN §5), so bounding every bucket bounds every edit,
 * merge and event, however large the vault grows (issue 18).
 */
export const BUCKET_FULL_RECORDS = 128

/**
 * New records are spread over at least this many buckets with room (a small vault
 * looks as it always did: 64 buckets of a few records each).
 */
export const OPEN_BUCKETS = 64

/**
 * A record id that names its bucket: a UUIDv8 (RFC 9562 §5.8, the layout left to
 * the vendor) whose last four hex digits are the bucket, u16. Every other
 * character is random (106 bits), and the id prefix users type stays random.
 */
const NAMED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const NAMED_ID_CHARS = 36
const VERSION_AT = 14
const RANDOM_ID_BYTES = 16
const UUID_VARIANT_BITS = 0x80
const UUID_VARIANT_MASK = 0x3f
const UUID_VERSION_8 = 0x80
const UUID_VERSION_MASK = 0x0f

/**
 * The bucket (Automerge document) a record lives in, forever: the bucket its id
 * names (ids lanvault makes since issue 18, see newRecordId), else the first four
 * bytes of SHA-256 of the id, big-endian, modulo `hashBuckets` (every id made
 * before, and ids a caller chose). Part of the storage format: every device must
 * compute the same bucket for an id, and a record never moves, so its history and
 * pending conflicts stay in one document.
 */
export function bucketOf(recordId: string, hashBuckets: number): number {
  // The length and version digit first: most ids that do not name a bucket skip the pattern.
  if (recordId.length === NAMED_ID_CHARS && recordId[VERSION_AT] === "8" && NAMED_ID.test(recordId)) {
    return parseInt(recordId.slice(NAMED_ID_CHARS - 4), 16)
  }
  const digest = sha256(utf8(recordId))
  const word = ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0
  return word % hashBuckets
}

/** A fresh random id naming `bucket` (see bucketOf). */
export function newRecordId(bucket: number, random: (length: number) => Uint8Array = randomBytes): string {
  return newRecordIds([bucket], random)[0]
}

/** Fresh random ids naming `buckets`, one each, from one draw of random bytes (an import makes 50k at once). */
export function newRecordIds(buckets: readonly number[], random: (length: number) => Uint8Array = randomBytes): string[] {
  buckets.forEach(checkBucket)
  const bytes = random(RANDOM_ID_BYTES * buckets.length)
  return buckets.map((bucket, index) => {
    const at = index * RANDOM_ID_BYTES
    bytes[at + 6] = UUID_VERSION_8 | (bytes[at + 6] & UUID_VERSION_MASK)
    bytes[at + 8] = UUID_VARIANT_BITS | (bytes[at + 8] & UUID_VARIANT_MASK)
    bytes[at + 14] = bucket >> 8
    bytes[at + 15] = bucket & 0xff
    const hex = toHex(bytes.subarray(at, at + RANDOM_ID_BYTES))
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  })
}

/** Whether `bucket` is a bucket number any vault may use (0 … 65,535). */
export function isBucket(bucket: unknown): bucket is number {
  return Number.isInteger(bucket) && (bucket as number) >= 0 && (bucket as number) < MAX_BUCKET_COUNT
}

/** Checks a bucket number given by a caller; throws InvalidParamsError. */
export function checkBucket(bucket: number): void {
  if (!isBucket(bucket)) throw new InvalidParamsError(`a bucket must be an integer from 0 to ${MAX_BUCKET_COUNT - 1}, got ${bucket}`)
}

/** Checks a bucket count given by a caller; throws InvalidParamsError. */
export function checkBucketCount(bucketCount: number): void {
  if (!Number.isInteger(bucketCount) || bucketCount < 1 || bucketCount > MAX_BUCKET_COUNT) {
    throw new InvalidParamsError(`bucket count must be an integer from 1 to ${MAX_BUCKET_COUNT}, got ${bucketCount}`)
  }
}
