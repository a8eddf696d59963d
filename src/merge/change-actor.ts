import * as Automerge from "./automerge.js"
import { CorruptDataError } from "../errors.js"

// Automerge binary format, "Change chunks": magic, 4-byte checksum, chunk type, uLEB length, then the
// change: uLEB dependency count, 32-byte hashes, length-prefixed actor id (https://automerge.org/automerge-binary-format-spec/).
const MAGIC = [0x85, 0x6f, 0x4a, 0x83]
const CHUNK_TYPE_AT = 8
const CHANGE_CHUNK = 1
const HASH_BYTES = 32
const MAX_ACTOR_BYTES = 64

/**
 * The actor id (lowercase hex) of an Automerge change, read from its header:
 * `Automerge.decodeChange` decodes every operation too, ~250 µs a change, far
 * too slow for a replay of the whole log. A compressed chunk goes through it.
 * CorruptDataError when the bytes are not a change.
 */
export function changeActor(change: Uint8Array): string {
  if (change.length <= CHUNK_TYPE_AT || MAGIC.some((byte, i) => change[i] !== byte)) throw notAChange()
  if (change[CHUNK_TYPE_AT] !== CHANGE_CHUNK) return decodedActor(change)
  const reader = { at: CHUNK_TYPE_AT + 1 }
  readUleb(change, reader) // chunk length
  const deps = readUleb(change, reader)
  reader.at += deps * HASH_BYTES
  const length = readUleb(change, reader)
  if (length === 0 || length > MAX_ACTOR_BYTES || reader.at + length > change.length) throw notAChange()
  return Buffer.from(change.subarray(reader.at, reader.at + length)).toString("hex")
}

function decodedActor(change: Uint8Array): string {
  try {
    return Automerge.decodeChange(change).actor
  } catch (cause) {
    throw new CorruptDataError("a log entry holds no readable Automerge change", { cause })
  }
}

/** An unsigned LEB128 number of at most 7 bytes (a safe integer). */
function readUleb(bytes: Uint8Array, reader: { at: number }): number {
  let value = 0
  for (let shift = 0; shift < 49; shift += 7) {
    if (reader.at >= bytes.length) throw notAChange()
    const byte = bytes[reader.at++]
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return value
  }
  throw notAChange()
}

function notAChange(): CorruptDataError {
  return new CorruptDataError("a log entry holds no readable Automerge change")
}
