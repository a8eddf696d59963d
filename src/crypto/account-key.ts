import { InvalidAccountKeyError } from "../errors.js"
import { randomBytes } from "./bytes.js"

/** Crockford base32: no I, L, O, U, so a key read aloud or off paper is unambiguous. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
const PREFIX = "LV1"
export const ACCOUNT_KEY_BYTES = 16
const DATA_CHARS = 26 // ceil(128 / 5)
const CHECK_CHARS = 2
const GROUP_CHARS = 4
// A prime > 32 and < 32²: a single changed character changes the value by d·32^k with
// 0 < |d| < 32, never a multiple of this prime, so every single typo (and every swap of
// two neighbouring characters) is caught.
const CHECK_MODULUS = 1021n

/** 128 fresh random bits: a new account key. */
export function generateAccountKey(): Uint8Array {
  return randomBytes(ACCOUNT_KEY_BYTES)
}

/** `LV1-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`: 26 data characters then 2 check characters. */
export function formatAccountKey(key: Uint8Array): string {
  if (key.length !== ACCOUNT_KEY_BYTES) throw new TypeError(`account key must be ${ACCOUNT_KEY_BYTES} bytes`)
  const value = bytesToBigInt(key)
  const chars = toBase32(value, DATA_CHARS) + toBase32(value % CHECK_MODULUS, CHECK_CHARS)
  const groups = chars.match(new RegExp(`.{1,${GROUP_CHARS}}`, "g")) ?? []
  return [PREFIX, ...groups].join("-")
}

/**
 * Reads an account key as a person may type it: any case, with or without dashes
 * and spaces, O for 0 and I/L for 1. Throws {@link InvalidAccountKeyError} saying
 * what is wrong (never echoing the key).
 */
export function parseAccountKey(text: string): Uint8Array {
  let chars = text.trim().toUpperCase().replace(/[\s-]/g, "")
  if (!chars.startsWith(PREFIX)) throw new InvalidAccountKeyError("an account key starts with LV1-")
  chars = chars.slice(PREFIX.length).replace(/O/g, "0").replace(/[IL]/g, "1")
  if (chars.length !== DATA_CHARS + CHECK_CHARS) {
    throw new InvalidAccountKeyError(`an account key has ${DATA_CHARS + CHECK_CHARS} characters after LV1- (this one has ${chars.length})`)
  }
  const bad = [...chars].find((c) => !ALPHABET.includes(c))
  if (bad !== undefined) throw new InvalidAccountKeyError(`"${bad === "U" ? "U" : "?"}" is not a character of an account key`)
  const value = fromBase32(chars.slice(0, DATA_CHARS))
  const check = fromBase32(chars.slice(DATA_CHARS))
  if (value >> 128n !== 0n || value % CHECK_MODULUS !== check) {
    throw new InvalidAccountKeyError("the account key has a typo (its check characters do not match): compare it with the printed key")
  }
  return bigIntToBytes(value)
}

function toBase32(value: bigint, length: number): string {
  let out = ""
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)] + out
    value >>= 5n
  }
  return out
}

function fromBase32(chars: string): bigint {
  let value = 0n
  for (const c of chars) value = (value << 5n) | BigInt(ALPHABET.indexOf(c))
  return value
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n
  for (const b of bytes) value = (value << 8n) | BigInt(b)
  return value
}

function bigIntToBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(ACCOUNT_KEY_BYTES)
  for (let i = ACCOUNT_KEY_BYTES - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn)
    value >>= 8n
  }
  return out
}
