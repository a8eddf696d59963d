import { protocolError } from "./byte-reader.js"

/** Longest device name accepted from a peer, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 1024

/** A name as UTF-8, cut at a character boundary to MAX_NAME_BYTES: a long local name must not stop sync. */
export function nameBytes(name: string): Uint8Array {
  const out = new Uint8Array(MAX_NAME_BYTES)
  // encodeInto stops before a character that does not fit whole.
  const { written } = new TextEncoder().encodeInto(name, out)
  return out.subarray(0, written)
}

/** A text field from a peer, refused (a protocol error) unless it is well-formed UTF-8. */
export function utf8Strict(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch (cause) {
    throw protocolError("a text field is not UTF-8", cause)
  }
}
