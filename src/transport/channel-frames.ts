import { NOISE_MAX_MESSAGE_BYTES, TAG_BYTES } from "./noise-suite.js"

/**
 * Plaintext layout of every Noise transport message on a lanvault link
 * (wire contract, DESIGN §6): one type byte, then chunk data.
 *
 *   0x00 MORE    a chunk of an application message; more chunks follow
 *   0x01 FINAL   the last (or only) chunk of an application message
 *   0x02 ACCEPT  the responder's first transport message: "I accept you";
 *                empty body, sent once, before any application message
 */
export const FRAME_MORE = 0x00
export const FRAME_FINAL = 0x01
export const FRAME_ACCEPT = 0x02
export const FRAME_HEADER_BYTES = 1
/** Application bytes that fit one transport message: 65,535 − tag − header. */
export const CHUNK_DATA_BYTES = NOISE_MAX_MESSAGE_BYTES - TAG_BYTES - FRAME_HEADER_BYTES

/** Splits an application message into frame plaintexts (an empty message is one FINAL frame). */
export function chunkMessage(message: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = []
  let offset = 0
  do {
    const end = Math.min(offset + CHUNK_DATA_BYTES, message.length)
    const frame = new Uint8Array(FRAME_HEADER_BYTES + end - offset)
    frame[0] = end === message.length ? FRAME_FINAL : FRAME_MORE
    frame.set(message.subarray(offset, end), FRAME_HEADER_BYTES)
    frames.push(frame)
    offset = end
  } while (offset < message.length)
  return frames
}
