import { HOTP, Secret, TOTP, URI } from "otpauth"
import { LanvaultError } from "../errors.js"

/** RFC 6238 §4 defaults, used for a bare base32 seed. */
const DEFAULT_PERIOD_S = 30
const DEFAULT_DIGITS = 6
const DEFAULT_ALGORITHM = "SHA1"
/** What otpauth URIs may name (RFC 6238 §1.2: SHA-1, SHA-256, SHA-512). */
const ALGORITHMS = new Set(["SHA1", "SHA256", "SHA512"])

/** A TOTP code at one moment. */
export interface TotpCode {
  code: string
  /** Seconds until this code is replaced by the next one. */
  secondsLeft: number
  period: number
  digits: number
  algorithm: string
}

/**
 * The TOTP code (RFC 6238) for a stored seed at `atMs` (default now). The seed is
 * an `otpauth://totp/…` URI (its digits, period and algorithm respected) or a
 * bare base32 secret (SHA-1, 6 digits, 30 s). Anything else throws
 * UNSUPPORTED_FORMAT with a message that never repeats the seed.
 */
export function totpCode(seed: string, atMs: number = Date.now()): TotpCode {
  const totp = parseSeed(seed)
  const periodMs = totp.period * 1000
  return {
    code: totp.generate({ timestamp: atMs }),
    secondsLeft: Math.ceil((periodMs - (((atMs % periodMs) + periodMs) % periodMs)) / 1000),
    period: totp.period,
    digits: totp.digits,
    algorithm: totp.algorithm,
  }
}

function parseSeed(seed: string): TOTP {
  const text = seed.trim()
  if (/^otpauth:\/\//i.test(text)) return fromUri(text)
  const base32 = text.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase()
  if (base32 === "" || !/^[A-Z2-7]+$/.test(base32)) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", "the TOTP field holds neither an otpauth://totp/ URI nor a base32 secret")
  }
  return new TOTP({ secret: Secret.fromBase32(base32), algorithm: DEFAULT_ALGORITHM, digits: DEFAULT_DIGITS, period: DEFAULT_PERIOD_S })
}

function fromUri(text: string): TOTP {
  let parsed: TOTP | HOTP
  try {
    parsed = URI.parse(text)
  } catch {
    // otpauth's message may quote the URI, secret included: say only what is wrong.
    throw new LanvaultError("UNSUPPORTED_FORMAT", "the TOTP field holds an otpauth:// URI that cannot be read (check its secret, digits, period and algorithm)")
  }
  if (!(parsed instanceof TOTP)) throw new LanvaultError("UNSUPPORTED_FORMAT", "the field holds an HOTP (counter) seed: only TOTP (time-based) codes are supported")
  if (!ALGORITHMS.has(parsed.algorithm.toUpperCase())) {
    throw new LanvaultError("UNSUPPORTED_FORMAT", `the otpauth:// URI names the algorithm ${parsed.algorithm}: use SHA1, SHA256 or SHA512`)
  }
  return parsed
}
