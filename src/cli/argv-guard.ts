import { usageError } from "./cli-error.js"

/** Why a secret never goes on the command line. */
const WHY = "never goes on the command line (it shows in `ps` and shell history)"
/** Option names that would carry a password; `--password-stdin` does not match. */
const PASSWORD_OPTION = /^--(?:[a-z]+-)*(?:password|passwd|passphrase|pass)$/i
/** Option names that would carry an account key; `--account-key-stdin` does not match. */
const ACCOUNT_KEY_OPTION = /^--(?:account-?key|ak)$/i
/** Option names that would carry another secret; `--secret-field` does not match. */
const SECRET_OPTION = /^--(?:secret|pin|token|key|private-key|api-key|otp|totp|cvv|cvc)$/i
/** Words that make a field name a secret's ("api_key", "PIN code", "cvv") — whole words, so "shipping" is not. */
const SECRET_WORDS = new Set(["pass", "password", "passwd", "passphrase", "passcode", "pwd", "secret", "pin", "cvv", "cvc", "cvv2",
  "otp", "totp", "key", "apikey", "private", "privatekey", "token", "seed", "mnemonic"])
/** Substrings that make a name secret wherever they stand ("mypassword", "clientsecret"). */
const SECRET_SUBSTRING = /password|passwd|passphrase|secret/i

/**
 * Refuses secrets passed as option values (passwords, account keys) before
 * anything else runs, saying what to use instead (usage error, exit 2).
 */
export function refuseSecretOptions(argv: readonly string[]): void {
  for (const token of argv) {
    if (token === "--") return
    const name = token.split("=", 1)[0]
    if (PASSWORD_OPTION.test(name)) {
      throw usageError(`${name}: a password ${WHY}: use LANVAULT_PASSWORD / LANVAULT_NEW_PASSWORD, --password-stdin, or the prompt`)
    }
    if (ACCOUNT_KEY_OPTION.test(name)) throw usageError(`${name}: the account key ${WHY}: use --account-key-stdin`)
    if (SECRET_OPTION.test(name)) throw usageError(`${name}: a secret ${WHY}: use --secret-field NAME (hidden prompt, or a line of stdin)`)
  }
}

/** Whether a field name looks like it holds a secret. */
export function looksSecret(fieldName: string): boolean {
  if (SECRET_SUBSTRING.test(fieldName)) return true
  const words = fieldName.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/)
  return words.some((word) => SECRET_WORDS.has(word))
}

/** Refuses `--field NAME=VALUE` for a secret-looking NAME (usage error naming only the field). */
export function refuseSecretField(fieldName: string): void {
  if (looksSecret(fieldName)) {
    throw usageError(`"${fieldName}" looks like a secret field, and a secret ${WHY}: use --secret-field ${fieldName} (or --generate ${fieldName})`)
  }
}
