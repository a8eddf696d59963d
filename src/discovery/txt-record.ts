import { ACCOUNT_KEY_BYTES } from "../crypto/account-key.js"
import { equalBytes, randomBytes } from "../crypto/bytes.js"
import { hkdf, hmacSha256 } from "../crypto/hkdf.js"

/** DESIGN §7: `v` of the adverts this code writes and reads. */
export const ADVERT_VERSION = "1"
/** Bytes of the random `n=` nonce (16 base64url characters). */
export const ADVERT_NONCE_BYTES = 12
/** Bytes an `a=`/`k=` tag keeps of its HMAC-SHA256 (22 base64url characters). */
export const ADVERT_TAG_BYTES = 16
/** Bytes of an account id. */
export const ACCOUNT_ID_BYTES = 16
/** A DNS TXT string holds at most 255 bytes (RFC 6763 §6.1). */
const MAX_TXT_ENTRY_BYTES = 255
/** More entries than this is not an advert of ours: refuse before looking further. */
const MAX_TXT_ENTRIES = 32
const ACCOUNT_TAG_INFO = "lanvault mdns account v1"
const PAIRING_TAG_INFO = "lanvault mdns pairing v1"
const EQUALS = 0x3d
const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * The keys that blind an advert's tags. `aKey` (from the account id) is known to
 * every trusted device; `kKey` (from the account key) also to a device that is
 * joining. Either may be absent: its tag is then random on adverts and never
 * matches when browsing.
 */
export interface DiscoveryKeys {
  readonly aKey?: Uint8Array
  readonly kKey?: Uint8Array
}

/** How an advert relates to us: same account (`a=`), pairing partner (`k=`), or both. */
export type AdvertMatch = "account" | "pairing" | "both"

/** The TXT record of an advert as key → value strings (what bonjour-service publishes). */
export type AdvertTxt = Readonly<Record<"v" | "n" | "a" | "k", string>>

/** A well-formed advert TXT record, decoded. */
export interface DecodedAdvert {
  readonly nonce: Uint8Array
  readonly accountTag: Uint8Array
  readonly pairingTag: Uint8Array
}

/**
 * DESIGN §7: aKey = HKDF(accountId, "lanvault mdns account v1"), kKey =
 * HKDF(accountKey, "lanvault mdns pairing v1"). Neither key nor tag reveals the
 * id or the account key.
 */
export function discoveryKeys(accountId: Uint8Array, accountKey?: Uint8Array): DiscoveryKeys {
  if (accountId.length !== ACCOUNT_ID_BYTES) throw new TypeError(`an account id is ${ACCOUNT_ID_BYTES} bytes`)
  if (accountKey !== undefined && accountKey.length !== ACCOUNT_KEY_BYTES) {
    throw new TypeError(`an account key is ${ACCOUNT_KEY_BYTES} bytes`)
  }
  return {
    aKey: hkdf(accountId, ACCOUNT_TAG_INFO),
    kKey: accountKey === undefined ? undefined : hkdf(accountKey, PAIRING_TAG_INFO),
  }
}

/**
 * The TXT record of one advert (DESIGN §7): `v=1`, a fresh random `n=`, and
 * `a=`/`k=` = HMAC-SHA256(key, n) truncated to 16 bytes, base64url. A tag whose
 * key is absent is random bytes, so every advert has the same shape.
 */
export function encodeAdvertTxt(keys: DiscoveryKeys, nonce: Uint8Array = randomBytes(ADVERT_NONCE_BYTES)): AdvertTxt {
  if (nonce.length !== ADVERT_NONCE_BYTES) throw new TypeError(`an advert nonce is ${ADVERT_NONCE_BYTES} bytes`)
  return {
    v: ADVERT_VERSION,
    n: base64url(nonce),
    a: base64url(keys.aKey === undefined ? randomBytes(ADVERT_TAG_BYTES) : advertTag(keys.aKey, nonce)),
    k: base64url(keys.kKey === undefined ? randomBytes(ADVERT_TAG_BYTES) : advertTag(keys.kKey, nonce)),
  }
}

/**
 * Reads a TXT record as mDNS delivers it (an array of `key=value` byte strings)
 * or as a key → value object. Anything malformed (a missing key, a wrong length,
 * a non-canonical encoding, a huge or non-UTF-8 value, another version) gives
 * `undefined`; this never throws.
 */
export function decodeAdvertTxt(txt: unknown): DecodedAdvert | undefined {
  try {
    const fields = txtFields(txt)
    if (fields === undefined || text(fields.get("v")) !== ADVERT_VERSION) return undefined
    const nonce = canonicalBase64url(fields.get("n"), ADVERT_NONCE_BYTES)
    const accountTag = canonicalBase64url(fields.get("a"), ADVERT_TAG_BYTES)
    const pairingTag = canonicalBase64url(fields.get("k"), ADVERT_TAG_BYTES)
    if (nonce === undefined || accountTag === undefined || pairingTag === undefined) return undefined
    return { nonce, accountTag, pairingTag }
  } catch {
    return undefined
  }
}

/**
 * Whether an advert is one of ours: `a=` matches `aKey` ("account"), `k=` matches
 * `kKey` ("pairing"), or both. Tags are compared in constant time, and both are
 * always checked. Malformed input gives `undefined`, never a throw.
 */
export function matchAdvert(txt: unknown, keys: DiscoveryKeys): AdvertMatch | undefined {
  const advert = decodeAdvertTxt(txt)
  if (advert === undefined) return undefined
  const account = keys.aKey !== undefined && equalBytes(advertTag(keys.aKey, advert.nonce), advert.accountTag)
  const pairing = keys.kKey !== undefined && equalBytes(advertTag(keys.kKey, advert.nonce), advert.pairingTag)
  if (account && pairing) return "both"
  if (account) return "account"
  if (pairing) return "pairing"
  return undefined
}

/** HMAC-SHA256(key, nonce) truncated to 16 bytes (DESIGN §7). */
function advertTag(key: Uint8Array, nonce: Uint8Array): Uint8Array {
  return hmacSha256(key, nonce).subarray(0, ADVERT_TAG_BYTES)
}

/** TXT entries by lower-case key; the first occurrence of a key wins (RFC 6763 §6.4). */
function txtFields(txt: unknown): Map<string, Uint8Array> | undefined {
  const entries = Array.isArray(txt) ? arrayEntries(txt) : objectEntries(txt)
  if (entries === undefined) return undefined
  const fields = new Map<string, Uint8Array>()
  for (const [key, value] of entries) {
    const name = key.toLowerCase()
    if (!fields.has(name)) fields.set(name, value)
  }
  return fields
}

function arrayEntries(txt: unknown[]): Array<[string, Uint8Array]> | undefined {
  if (txt.length > MAX_TXT_ENTRIES) return undefined
  const entries: Array<[string, Uint8Array]> = []
  for (const item of txt) {
    const bytes = typeof item === "string" ? utf8Bounded(item) : item instanceof Uint8Array ? item : undefined
    if (bytes === undefined || bytes.length > MAX_TXT_ENTRY_BYTES) return undefined
    const equals = bytes.indexOf(EQUALS)
    if (equals <= 0) continue // a boolean attribute or an empty key: not one we read
    const key = text(bytes.subarray(0, equals))
    if (key === undefined) return undefined
    entries.push([key, bytes.subarray(equals + 1)])
  }
  return entries
}

function objectEntries(txt: unknown): Array<[string, Uint8Array]> | undefined {
  if (typeof txt !== "object" || txt === null) return undefined
  const keys = Object.keys(txt)
  if (keys.length > MAX_TXT_ENTRIES) return undefined
  const entries: Array<[string, Uint8Array]> = []
  for (const key of keys) {
    const value: unknown = (txt as Record<string, unknown>)[key]
    const bytes = typeof value === "string" ? utf8Bounded(value) : value instanceof Uint8Array ? value : undefined
    if (bytes === undefined || bytes.length > MAX_TXT_ENTRY_BYTES) return undefined
    entries.push([key, bytes])
  }
  return entries
}

/** UTF-8 of a string, or undefined when it could not fit a TXT entry anyway. */
function utf8Bounded(value: string): Uint8Array | undefined {
  if (value.length > MAX_TXT_ENTRY_BYTES) return undefined
  return new TextEncoder().encode(value)
}

/** Strict UTF-8 decoding; undefined for anything that is not UTF-8. */
function text(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** Bytes of a canonical unpadded base64url string of exactly `length` bytes. */
function canonicalBase64url(value: Uint8Array | undefined, length: number): Uint8Array | undefined {
  const encoded = text(value)
  if (encoded === undefined || encoded.length !== Math.ceil((length * 4) / 3) || !BASE64URL.test(encoded)) return undefined
  const bytes = new Uint8Array(Buffer.from(encoded, "base64url"))
  // Buffer ignores stray low bits of the last character: insist on one spelling per value.
  if (bytes.length !== length || base64url(bytes) !== encoded) return undefined
  return bytes
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url")
}
