import { usageError } from "./cli-error.js"

/** Why a secret never goes on the command line. */
const WHY = "never goes on the command line (it shows in `ps` and shell history)"
/** Option names that would carry a password; `--password-stdin` does not match. */
const PASSWORD_OPTION = /^--(?:[a-z]+-)*(?:password|passwd|passphrase|pass)$/i
/** Option names that would carry an account key; `--account-key-stdin` does not match. */
const ACCOUNT_KEY_OPTION = /^--(?:account-?key|ak)$/i
/** Option names that would carry another secret; `--secret-field` does not match. */
const SECRET_OPTION = /^--(?:secret|pin|token|key|private-key|api-key|otp|totp|cvv|cvc)$/i
/** Field names whose values are secrets (and so never given as `--field NAME=VALUE`). */
const SECRET_FIELD_NAME = /pass|secret|pin|cvv|cvc|otp|totp|private|key/i

/**
 * Refuses secrets given as options (`--password x`, `--account-key=…`) before
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
  return SECRET_FIELD_NAME.test(fieldName)
}

/** Refuses `--field NAME=VALUE` for a secret-looking NAME (usage error naming only the field). */
export function refuseSecretField(fieldName: string): void {
  if (looksSecret(fieldName)) {
    throw usageError(`"${fieldName}" looks like a secret field, and a secret ${WHY}: use --secret-field ${fieldName} (or --generate ${fieldName})`)
  }
}
