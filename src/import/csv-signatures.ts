/**
 * The header of each CSV format lanvault reads: the columns that tell it apart.
 * Used to detect a format and to name the closest ones when none fits.
 */
import type { ImportFormat } from "./types.js"

/** A CSV format and the lower-cased column names its header always has. */
export interface CsvSignature {
  format: ImportFormat
  columns: readonly string[]
}

// When several fit, the one with most columns wins (LastPass's header also holds Chrome's four).
export const CSV_SIGNATURES: readonly CsvSignature[] = [
  { format: "csv", columns: ["type", "title", "username", "password", "url", "notes", "tags", "favorite", "fields"] },
  { format: "bitwarden-csv", columns: ["type", "name", "login_uri", "login_username", "login_password"] },
  { format: "keepassxc-csv", columns: ["group", "title", "username", "password", "url", "notes"] },
  { format: "lastpass-csv", columns: ["url", "username", "password", "extra", "name", "grouping"] },
  { format: "firefox-csv", columns: ["url", "username", "password", "httprealm", "formactionorigin"] },
  { format: "1password-csv", columns: ["title", "url", "username", "password", "otpauth", "favorite", "archived"] },
  { format: "apple-csv", columns: ["title", "url", "username", "password", "otpauth"] },
  { format: "dashlane-csv", columns: ["username", "username2", "title", "password", "note", "url"] },
  { format: "nordpass-csv", columns: ["name", "url", "username", "password", "note", "cardnumber", "folder", "type"] },
  { format: "keeper-csv", columns: ["folder", "title", "login", "password"] },
  { format: "chrome-csv", columns: ["name", "url", "username", "password"] },
  { format: "1password-csv", columns: ["title", "username", "password"] },
]

/** How well a header fits one signature: the columns it lacks. */
export interface CsvFit {
  format: ImportFormat
  missing: string[]
  score: number
}

/** Every signature, best fit first (fewest missing, then most columns). */
export function rankCsvFormats(names: ReadonlySet<string>): CsvFit[] {
  const fits = CSV_SIGNATURES.map(({ format, columns }) => {
    const missing = columns.filter((column) => !names.has(column))
    return { format, missing, score: (columns.length - missing.length) / columns.length, size: columns.length }
  })
  fits.sort((a, b) => b.score - a.score || b.size - a.size)
  const seen = new Set<string>()
  return fits
    .filter((fit) => (seen.has(fit.format) ? false : (seen.add(fit.format), true)))
    .map(({ format, missing, score }) => ({ format, missing, score }))
}

/** The format whose whole signature the header has (most columns first), if any. */
export function csvFormatOf(names: ReadonlySet<string>): ImportFormat | undefined {
  const best = rankCsvFormats(names)[0]
  return best !== undefined && best.missing.length === 0 ? best.format : undefined
}
