/** RFC 6238 TOTP codes in the page, with WebCrypto; the secret is base32 or an otpauth:// URI. */

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

interface TotpParams {
  key: Uint8Array
  digits: number
  periodS: number
  hash: "SHA-1" | "SHA-256" | "SHA-512"
}

/** The code for `nowMs` and the whole seconds it stays valid. Rejects when the secret cannot be read. */
export async function totpNow(secret: string, nowMs: number): Promise<{ code: string; remaining: number }> {
  const params = parseSecret(secret)
  const counter = Math.floor(nowMs / 1000 / params.periodS)
  const message = new Uint8Array(8)
  new DataView(message.buffer).setBigUint64(0, BigInt(counter))
  const key = await crypto.subtle.importKey("raw", params.key as BufferSource, { name: "HMAC", hash: params.hash }, false, ["sign"])
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message))
  // RFC 4226 §5.3 dynamic truncation.
  const offset = mac[mac.length - 1] & 0x0f
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3]
  const code = String(binary % 10 ** params.digits).padStart(params.digits, "0")
  return { code, remaining: params.periodS - (Math.floor(nowMs / 1000) % params.periodS) }
}

function parseSecret(secret: string): TotpParams {
  if (secret.startsWith("otpauth://")) {
    const url = new URL(secret)
    const algorithm = (url.searchParams.get("algorithm") ?? "SHA1").toUpperCase()
    return {
      key: base32Decode(url.searchParams.get("secret") ?? ""),
      digits: Number(url.searchParams.get("digits") ?? 6),
      periodS: Number(url.searchParams.get("period") ?? 30),
      hash: algorithm === "SHA256" ? "SHA-256" : algorithm === "SHA512" ? "SHA-512" : "SHA-1",
    }
  }
  return { key: base32Decode(secret), digits: 6, periodS: 30, hash: "SHA-1" }
}

function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/[\s=-]/g, "")
  if (clean.length === 0) throw new Error("empty secret")
  const out: number[] = []
  let bits = 0
  let value = 0
  for (const char of clean) {
    const index = BASE32.indexOf(char)
    if (index < 0) throw new Error("not base32")
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return new Uint8Array(out)
}
