import { InvalidParamsError } from "../errors.js"

/** Longest hint kept (characters). */
export const MAX_HINT_CHARS = 200
/** Consecutive wrong passwords after which the error shows the hint. */
export const HINT_AFTER_FAILURES = 3

/**
 * The password hint as this device keeps it (store meta, never synced): the
 * text and the KDF salt of the password it was written for, so a password
 * changed on another device makes it stale instead of misleading.
 */
export interface StoredHint {
  text: string
  salt: string
}

/**
 * Validates an optional hint for `password`: trimmed, at most
 * {@link MAX_HINT_CHARS}, and never containing the password (compared without
 * case). Returns undefined for no hint. The error never echoes either value.
 */
export function checkHint(hint: string | undefined, password: string): string | undefined {
  if (hint === undefined) return undefined
  if (typeof hint !== "string") throw new InvalidParamsError('"hint" must be a string')
  const text = hint.trim()
  if (text === "") return undefined
  if ([...text].length > MAX_HINT_CHARS) throw new InvalidParamsError(`the password hint has at most ${MAX_HINT_CHARS} characters`)
  const lower = text.toLocaleLowerCase()
  if (password.length > 0 && lower.includes(password.toLocaleLowerCase())) {
    throw new InvalidParamsError("the password hint contains the password itself: write something only you can connect to it")
  }
  return text
}

/** Parses the stored hint; anything unreadable counts as none. */
export function parseStoredHint(raw: string | undefined): StoredHint | undefined {
  if (raw === undefined) return undefined
  try {
    const parsed = JSON.parse(raw) as StoredHint
    return typeof parsed?.text === "string" && typeof parsed.salt === "string" ? parsed : undefined
  } catch {
    return undefined
  }
}
