/**
 * The health report's shape, shared with the socket contract (api/protocol.ts)
 * and so with the web app's UI: plain types and constants, no Node imports.
 */

/** The tag a person puts on a login whose site offers two-factor codes: such a login should hold a TOTP field. */
export const TWO_FACTOR_TAG = "2fa"

/** Where a finding is: never the value. */
export interface SecretRef {
  id: string
  title: string
  field: string
}

/** The health report of `lanvault audit` and the socket's `audit` method. No secret value appears in it. */
export interface AuditReport {
  checkedAt: number
  /** Live records (not in the trash) looked at. */
  records: number
  /** Secret fields looked at. */
  secrets: number
  weak: Array<SecretRef & { score: number }>
  /** Groups of two or more fields (in different records) holding the same secret, compared by a keyed digest. */
  reused: SecretRef[][]
  old: Array<SecretRef & { changedAt: number; days: number }>
  /** Logins tagged the "2fa" tag without a TOTP field. */
  missingTotp: Array<{ id: string; title: string }>
}

