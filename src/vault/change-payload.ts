import { CorruptDataError } from "../errors.js"
import type { BucketChange } from "../merge/types.js"

const PAYLOAD_VERSION = 1
const HEADER_BYTES = 3

/** The plaintext of a log entry: version byte, bucket (u16 big-endian), Automerge change. */
export function encodePayload(change: BucketChange): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + change.change.length)
  out[0] = PAYLOAD_VERSION
  out[1] = change.bucket >> 8
  out[2] = change.bucket & 0xff
  out.set(change.change, HEADER_BYTES)
  return out
}

export function decodePayload(payload: Uint8Array, bucketCount: number): BucketChange {
  if (payload.length <= HEADER_BYTES || payload[0] !== PAYLOAD_VERSION) {
    throw new CorruptDataError("a log entry's payload has an unknown format")
  }
  const bucket = (payload[1] << 8) | payload[2]
  if (bucket >= bucketCount) throw new CorruptDataError(`a log entry names bucket ${bucket} of ${bucketCount}`)
  return { bucket, change: payload.subarray(HEADER_BYTES) }
}
