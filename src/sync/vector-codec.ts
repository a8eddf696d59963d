import { fromHex, toHex } from "../crypto/bytes.js"
import type { VersionVector } from "../store/vault-store.js"
import { protocolError, type ByteReader } from "./byte-reader.js"
import type { ByteWriter } from "./byte-writer.js"

const DEVICE_ID_BYTES = 16
const VECTOR_ITEM_BYTES = DEVICE_ID_BYTES + 8

/** A version vector on the wire: `u32 count ‖ (deviceId (16) ‖ u64 seq)*`, devices at 0 left out, in the object's order. */
export function writeVector(w: ByteWriter, vector: VersionVector): void {
  const items = Object.entries(vector).filter(([, seq]) => seq > 0)
  w.u32(items.length)
  for (const [deviceId, seq] of items) w.bytes(fromHex(deviceId)).u64(seq)
}

/** Reads a vector written by {@link writeVector}; PROTOCOL_ERROR when truncated or a device repeats. */
export function readVector(r: ByteReader): VersionVector {
  const count = r.u32()
  if (count * VECTOR_ITEM_BYTES > r.remaining) throw protocolError("the version vector is truncated")
  const vector: VersionVector = {}
  for (let i = 0; i < count; i++) {
    const deviceId = toHex(r.bytes(DEVICE_ID_BYTES))
    if (Object.hasOwn(vector, deviceId)) throw protocolError("a device appears twice in the version vector")
    vector[deviceId] = r.u64()
  }
  return vector
}

