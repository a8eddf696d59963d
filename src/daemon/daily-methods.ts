import type { GenerateParams, ParamsOf, ResultOf } from "../api/protocol.js"
import { optionalBoolean, optionalString, requireString } from "../api/params.js"
import { findOne, recordTotp, searchVault, type RecordReader } from "../app/index.js"
import { generate } from "../credentials/index.js"
import { InvalidParamsError } from "../errors.js"
import { estimateStrength } from "../health/password-strength.js"

export type DailyMethodName = "records.find" | "records.search" | "totp" | "generate" | "strength"
export type DailyMethods = { [M in DailyMethodName]: (params: ParamsOf<M>) => ResultOf<M> }

/** The everyday methods (issue 13): find by QUERY, search, TOTP codes, generated passwords. Each checks its params and makes one call. */
export function createDailyMethods(vault: RecordReader): DailyMethods {
  return {
    "records.find": (params) => findOne(vault, requireString(params, "query")),
    "records.search": (params) => searchVault(vault, requireString(params, "query")),
    totp: (params) => recordTotp(vault, readTotpParams(params)),
    generate: (params) => generate(readGenerateParams(params)),
    strength: (params) => estimateStrength(requireString(params, "secret"), readContext(params)),
  }
}

function readTotpParams(params: unknown) {
  const id = optionalString(params, "id")
  const query = optionalString(params, "query")
  if ((id === undefined) === (query === undefined)) throw new InvalidParamsError('give "id" or "query" (one of them)')
  const at = (params as { at?: unknown }).at
  if (at !== undefined && (typeof at !== "number" || !Number.isFinite(at) || at < 0)) throw new InvalidParamsError('"at" must be a time in ms since 1970')
  return { id, query, field: optionalString(params, "field"), at: (at as number | undefined) ?? Date.now() }
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
