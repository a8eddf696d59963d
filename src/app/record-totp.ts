import { totpCode } from "../credentials/index.js"
import { InvalidParamsError, LanvaultError } from "../errors.js"
import type { VaultRecord } from "../merge/types.js"
import { findOne, type RecordReader } from "./record-lookup.js"

/** Field names taken as a TOTP seed when no field has the kind "totp". */
const TOTP_FIELD_NAMES = ["totp", "otp", "one-time password"]

/** Which record (by `id`, or the one a `query` names) and, when it has several, which field. */
export interface TotpRequest {
  id?: string
  query?: string
  field?: string
  /** The moment, in ms since 1970. */
  at: number
}

/** The TOTP code of a record's seed field at `at`, with the record and field it came from. */
export function recordTotp(vault: RecordReader, request: TotpRequest) {
  const record = request.id !== undefined ? vault.get(request.id) : findOne(vault, request.query!)
  const field = totpField(record, request.field)
  const code = totpCode(record.fields[field].value, request.at)
  return { id: record.id, title: record.title, field, ...code }
}

function totpField(record: VaultRecord, wanted: string | undefined): string {
  const names = Object.keys(record.fields)
  if (wanted !== undefined) {
    if (!names.includes(wanted)) throw new LanvaultError("NOT_FOUND", `"${record.title}" has no field "${wanted}"`)
    return wanted
  }
  let candidates = names.filter((name) => record.fields[name].kind === "totp")
  if (candidates.length === 0) candidates = names.filter((name) => TOTP_FIELD_NAMES.includes(name.toLowerCase()))
  if (candidates.length === 1) return candidates[0]
  if (candidates.length === 0) throw new LanvaultError("NOT_FOUND", `"${record.title}" has no TOTP field: add one with \`lanvault edit ${record.id.slice(0, 8)} --secret-field totp\``)
  throw new InvalidParamsError(`"${record.title}" has several TOTP fields (${candidates.join(", ")}): name one with --field`)
}
