import { CorruptDataError } from "../errors.js"
import type { BucketChange } from "../merge/types.js"

const PAYLOAD_VERSION = 1
const HEADER_BYTES = 3

/**
 * The plaintext of a log entry: version byte, bucket (u16 big-endian), Automerge
 * change. Any u16 is a bucket (a record id names its bucket since issue 18;
 * before, only 0 … 63 occurred), which sync protocol 7 and schema 6 announce.
 */
export function encodePayload(change: BucketChange): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + change.change.length)
  out[0] = PAYLOAD_VERSION
  out[1] = change.bucket >> 8
  out[2] = change.bucket & 0xff
  out.set(change.change, HEADER_BYTES)
  return out
}

export function decodePayload(payload: Uint8Array): BucketChange {
  if (payload.length <= HEADER_BYTES || payload[0] !== PAYLOAD_VERSION) {
    throw new CorruptDataError("a log entry's payload has an unknown format")
  }
  const bucket = (payload[1] << 8) | payload[2]
  return { bucket, change: payload.subarray(HEADER_BYTES) }
}
