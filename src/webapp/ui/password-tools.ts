/** Password generator and strength estimate, in the page (no secret leaves it for these). */

const LOWER = "abcdefghijkmnopqrstuvwxyz"
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
const DIGITS = "23456789"
const SYMBOLS = "!#$%&*+-=?@^_~"

/** A uniformly random password of `length` characters from letters, digits and (by default) symbols. */
export function generatePassword(length = 20, symbols = true): string {
  const alphabet = LOWER + UPPER + DIGITS + (symbols ? SYMBOLS : "")
  const out: string[] = []
  const limit = 256 - (256 % alphabet.length)
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2))
    for (const byte of bytes) {
      // Rejection sampling: no character is likelier than another.
      if (byte < limit && out.length < length) out.push(alphabet[byte % alphabet.length])
    }
  }
  return out.join("")
}

/** Strength as estimated bits of entropy and a 0–4 score with a word for people. */
export interface Strength {
  bits: number
  score: 0 | 1 | 2 | 3 | 4
  label: string
}

const LABELS = ["very weak", "weak", "fair", "strong", "very strong"]

/** A rough estimate: character-class pool size to the power of length, less for repeats and common patterns. */
export function estimateStrength(password: string): Strength {
  if (password.length === 0) return { bits: 0, score: 0, label: "empty" }
  let pool = 0
  if (/[a-z]/.test(password)) pool += 26
  if (/[A-Z]/.test(password)) pool += 26
  if (/[0-9]/.test(password)) pool += 10
  if (/[^a-zA-Z0-9]/.test(password)) pool += 33
  const unique = new Set(password).size
  const effectiveLength = Math.min(password.length, unique * 2)
  let bits = effectiveLength * Math.log2(Math.max(pool, 2))
  if (/^(password|123456|qwerty|letmein|admin)/i.test(password)) bits = Math.min(bits, 10)
  const score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 90 ? 3 : 4
  return { bits: Math.round(bits), score, label: LABELS[score] }
}
