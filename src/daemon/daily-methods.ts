import type { GenerateParams, ParamsOf, ResultOf } from "../api/protocol.js"
import { generate, totpCode } from "../credentials/index.js"
import { estimateStrength } from "../health/password-strength.js"
import { AmbiguousError, InvalidParamsError, LanvaultError } from "../errors.js"
import { findRecords, searchRecords } from "../merge/record-query.js"
import type { ListFilter, RecordSummary, VaultRecord } from "../merge/types.js"
import { optionalBoolean, optionalString, requireString } from "../api/params.js"

/** Field names taken as a TOTP seed when no field has the kind "totp". */
const TOTP_FIELD_NAMES = ["totp", "otp", "one-time password"]

/** The part of the unlocked vault these methods read (throws LOCKED when locked). */
export interface RecordReader {
  list(filter: ListFilter): RecordSummary[]
  get(id: string): VaultRecord
}

type DailyMethodName = "records.find" | "records.search" | "totp" | "generate" | "strength"
type DailyMethods = { [M in DailyMethodName]: (params: ParamsOf<M>) => ResultOf<M> }

/** The everyday methods (issue 13): find by QUERY, search, TOTP codes, generated passwords. */
export function createDailyMethods(vault: RecordReader): DailyMethods {
  return {
    "records.find": (params) => findOne(vault, requireString(params, "query")),
    "records.search": (params) => {
      const hits = searchRecords(vault.list({}), requireString(params, "query"), (id) => vault.get(id).notes)
      return hits.map((hit) => ({ record: hit.record, matched: hit.matched }))
    },
    totp: (params) => totpOf(vault, params),
    generate: (params) => generate(readGenerateParams(params)),
    strength: (params) => estimateStrength(requireString(params, "secret"), readContext(params)),
  }
}

/** The one live record a QUERY names (else one in the trash by id): NOT_FOUND for none, AMBIGUOUS (with candidates) for several. */
export function findOne(vault: RecordReader, query: string): VaultRecord {
  let matches = findRecords(vault.list({}), query)
  if (matches.length === 0) matches = findRecords(vault.list({ trash: true }), query, { trashed: true })
  if (matches.length === 1) return vault.get(matches[0].id)
  if (matches.length === 0) {
    throw new LanvaultError("NOT_FOUND", `record "${query}" not found (no id, title or web address matches): try \`lanvault search ${query}\``)
  }
  throw new AmbiguousError(query, matches.map((record) => ({ id: record.id, title: record.title })))
}

function totpOf(vault: RecordReader, params: unknown): ResultOf<"totp"> {
  const id = optionalString(params, "id")
  const query = optionalString(params, "query")
  if ((id === undefined) === (query === undefined)) throw new InvalidParamsError('give "id" or "query" (one of them)')
  const at = (params as { at?: unknown }).at
  if (at !== undefined && (typeof at !== "number" || !Number.isFinite(at) || at < 0)) throw new InvalidParamsError('"at" must be a time in ms since 1970')
  const record = id !== undefined ? vault.get(id) : findOne(vault, query!)
  const field = totpField(record, optionalString(params, "field"))
  const code = totpCode(record.fields[field].value, (at as number | undefined) ?? Date.now())
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

/** Up to 8 context words of up to 100 characters each. */
function readContext(params: unknown): string[] {
  const context = (params as { context?: unknown }).context
  if (context === undefined) return []
  if (!Array.isArray(context) || context.length > 8 || !context.every((word) => typeof word === "string" && word.length <= 100)) {
    throw new InvalidParamsError('"context" must be a list of at most 8 short strings')
  }
  return context as string[]
}

function readGenerateParams(params: unknown): GenerateParams {
  const numberParam = (name: string): number | undefined => {
    const value = (params as Record<string, unknown> | undefined)?.[name]
    if (value === undefined || value === null) return undefined
    if (typeof value !== "number") throw new InvalidParamsError(`"${name}" must be a number`)
    return value
  }
  return {
    length: numberParam("length"),
    words: numberParam("words"),
    symbols: optionalBoolean(params, "symbols"),
    digits: optionalBoolean(params, "digits"),
    separator: optionalString(params, "separator"),
  }
}
