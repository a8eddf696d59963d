/**
 * TOTP in KeePass files: KeePassXC's `otp` field (an otpauth:// URI, or the old
 * `key=…&step=…&size=…` form), KeePass 2.47+'s `TimeOtp-*` fields, and
 * KeePassXC's older `TOTP Seed` / `TOTP Settings`. lanvault keeps an otpauth URI.
 */
import * as OTPAuth from "otpauth"

const ALGORITHMS = new Map([["HMAC-SHA-1", "SHA1"], ["HMAC-SHA-256", "SHA256"], ["HMAC-SHA-512", "SHA512"]])

/** The entry's TOTP as an otpauth URI (or "") and the KeePass fields it was read from. */
export function totpFromKeepass(get: (key: string) => string): { value: string; consumed: Set<string> } {
  const otp = get("otp").trim()
  if (otp !== "") return { value: otp.startsWith("otpauth://") ? otp : legacyOtp(otp), consumed: new Set(["otp"]) }
  const base32 = get("TimeOtp-Secret-Base32").trim()
  if (base32 !== "") {
    const keys = ["TimeOtp-Secret-Base32", "TimeOtp-Period", "TimeOtp-Length", "TimeOtp-Algorithm"]
    const algorithm = ALGORITHMS.get(get("TimeOtp-Algorithm").trim()) ?? "SHA1"
    return { value: uri(base32, get("TimeOtp-Period"), get("TimeOtp-Length"), algorithm), consumed: new Set(keys) }
  }
  const seed = get("TOTP Seed").trim()
  if (seed !== "") {
    const [period, digits] = get("TOTP Settings").split(";")
    return { value: uri(seed, period ?? "", digits ?? "", "SHA1"), consumed: new Set(["TOTP Seed", "TOTP Settings"]) }
  }
  return { value: "", consumed: new Set() }
}

/** A lanvault totp value (an otpauth URI or a bare base32 secret) as the otpauth URI KeePassXC reads in `otp`. */
export function totpForKeepass(value: string, label: string): string {
  const trimmed = value.trim()
  if (trimmed.startsWith("otpauth://")) return trimmed
  try {
    return new OTPAuth.TOTP({ issuer: "lanvault", label: label || "lanvault", secret: OTPAuth.Secret.fromBase32(trimmed.replace(/\s+/g, "").toUpperCase()) }).toString()
  } catch {
    return trimmed
  }
}

function legacyOtp(text: string): string {
  const params = new URLSearchParams(text)
  const key = params.get("key")
  return key === null ? text : uri(key, params.get("step") ?? "", params.get("size") ?? "", "SHA1")
}

function uri(secret: string, period: string, digits: string, algorithm: string): string {
  try {
    return new OTPAuth.TOTP({
      issuer: "",
      label: "imported",
      secret: OTPAuth.Secret.fromBase32(secret.replace(/\s+/g, "").toUpperCase()),
      period: Number(period) > 0 ? Number(period) : 30,
      digits: Number(digits) > 0 ? Number(digits) : 6,
      algorithm,
    }).toString()
  } catch {
    return secret
  }
}
