import { createHmac } from "node:crypto"

/**
 * The current TOTP code of a stored secret (RFC 6238 over RFC 4226): an
 * `otpauth://totp/...?secret=...` URI (digits, period and SHA-1/256/512 read
 * from it) or a bare base32 secret (6 digits, 30 s, SHA-1). Undefined when the
 * value is neither.
 */
export function totpNow(value: string, nowMs: number = Date.now()): string | undefined {
  const params = readParams(value.trim())
  if (params === undefined) return undefined
  const key = base32Decode(params.secret)
  if (key === undefined || key.length === 0) return undefined
  const counter = Math.floor(nowMs / 1000 / params.period)
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const digest = createHmac(params.algorithm, key).update(message).digest()
  // RFC 4226 §5.3 dynamic truncation.
  const offset = digest[digest.length - 1] & 0x0f
  const binary = digest.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 10 ** params.digits).padStart(params.digits, "0")
}

interface TotpParams {
  secret: string
  digits: number
  period: number
  algorithm: "sha1" | "sha256" | "sha512"
}

function readParams(value: string): TotpParams | undefined {
  if (!value.toLowerCase().startsWith("otpauth://")) return { secret: value, digits: 6, period: 30, algorithm: "sha1" }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.hostname.toLowerCase() !== "totp") return undefined
  const secret = url.searchParams.get("secret")
  if (!secret) return undefined
  const digits = Number(url.searchParams.get("digits") ?? 6)
  const period = Number(url.searchParams.get("period") ?? 30)
  const algorithm = (url.searchParams.get("algorithm") ?? "SHA1").toLowerCase()
  if (![6, 7, 8].includes(digits) || !Number.isInteger(period) || period <= 0 || period > 3600) return undefined
  if (algorithm !== "sha1" && algorithm !== "sha256" && algorithm !== "sha512") return undefined
  return { secret, digits, period, algorithm }
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

function base32Decode(text: string): Buffer | undefined {
  const clean = text.replace(/[\s=-]/g, "").toUpperCase()
  let bits = 0
  let buffer = 0
  const out: number[] = []
  for (const char of clean) {
    const index = BASE32.indexOf(char)
    if (index < 0) return undefined
    buffer = (buffer << 5) | index
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((buffer >> bits) & 0xff)
    }
  }
  return Buffer.from(out)
}
