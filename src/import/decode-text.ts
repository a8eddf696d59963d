/** Bytes of an import file to text: strict UTF-8, a leading BOM dropped. */
import { LanvaultError } from "../errors.js"

/**
 * Decodes `bytes` as UTF-8 (a BOM is dropped). Throws `IMPORT_FAILED` naming the
 * byte offset and line of the first invalid sequence.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch (error) {
    const offset = invalidUtf8Offset(bytes)
    const line = lineAtByte(bytes, offset)
    const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    const hint = utf16 ? "the file looks like UTF-16" : "the file is not UTF-8 text"
    throw new LanvaultError("IMPORT_FAILED", `line ${line}: invalid UTF-8 at byte ${offset}: ${hint}; export it again as UTF-8`, {
      cause: error,
      data: { line, offset },
    })
  }
}

/** 1-based line of the byte at `offset` (line feeds before it, plus one). */
export function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++
  return line
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (RFC 3629 §4), or the length if none. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i)
    if (length === 0) return i
    i += length
  }
  return bytes.length
}

// Length of the well-formed sequence starting at `i`, 0 if ill-formed (overlong, surrogate, > U+10FFFF, cut short).
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]
  if (b0 < 0x80) return 1
  let length: number
  let low = 0x80
  let high = 0xbf
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3
    if (b0 === 0xe0) low = 0xa0
    if (b0 === 0xed) high = 0x9f
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4
    if (b0 === 0xf0) low = 0x90
    if (b0 === 0xf4) high = 0x8f
  } else return 0
  if (i + length > bytes.length) return 0
  const b1 = bytes[i + 1]
  if (b1 < low || b1 > high) return 0
  for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0
  return length
}
