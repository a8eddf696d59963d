import { fromHex, hmacSha256, toHex, utf8 } from "../crypto/index.js"
import { DEVICE_ID_PATTERN } from "../store/index.js"

const MAX_PAYLOAD_BYTES = 1_024
const TAG_INFO = "lanvault account tag v1"

/**
 * What a trusted-mode handshake carries about each side: the device id it claims
 * (checked against the static key), a tag of the account (a keyed hash, so the
 * account id itself never crosses the wire) and the account's reset generation.
 */
export interface HelloPayload {
  deviceId: string
  accountTag: string
  generation: number
}

/** HMAC of a fixed label under the account id: same account, same tag. */
export function accountTag(accountIdHex: string): string {
  return toHex(hmacSha256(fromHex(accountIdHex), utf8(TAG_INFO))).slice(0, 32)
}

export function encodeHello(hello: HelloPayload): Uint8Array {
  return utf8(JSON.stringify(hello))
}

/** Parses a peer's payload; undefined when it is not one (the caller refuses the peer). */
export function decodeHello(bytes: Uint8Array): HelloPayload | undefined {
  if (bytes.length === 0 || bytes.length > MAX_PAYLOAD_BYTES) return undefined
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as Partial<HelloPayload>
    if (typeof value?.deviceId !== "string" || !DEVICE_ID_PATTERN.test(value.deviceId)) return undefined
    if (typeof value.accountTag !== "string" || !Number.isSafeInteger(value.generation)) return undefined
    return { deviceId: value.deviceId, accountTag: value.accountTag, generation: value.generation as number }
  } catch {
    return undefined
  }
}
