import { GENERATE_LIMITS, type GenerateParams } from "../api/protocol.js"
import type { FieldKind, FieldValue } from "../api/public.js"
import { refuseSecretField } from "./argv-guard.js"
import { usageError } from "./cli-error.js"
import type { SecretReader } from "./secrets.js"

/** The field options `add` and `edit` share. */
export interface FieldOptions {
  field?: string[]
  secretField?: string[]
  generate?: string[]
  length?: number
  symbols?: boolean
  digits?: boolean
  words?: number
  separator?: string
}

/** What the field options ask for, checked before anything is read or sent. */
export interface FieldPlan {
  plain: Array<{ name: string; value: string }>
  secret: string[]
  generate: string[]
  /** How `generate` fields are filled (the daemon's `generate` method). */
  generator: GenerateParams
}

/** Makes one generated value (the daemon's `generate` method, through the client). */
export type Generator = (params: GenerateParams) => Promise<string>

/**
 * Checks the field options: NAME=VALUE syntax, no secret-looking NAME on argv,
 * no field named twice. Throws a usage error (exit 2) that never echoes a value.
 */
export function planFields(options: FieldOptions): FieldPlan {
  const plain = (options.field ?? []).map(parseAssignment)
  const secret = (options.secretField ?? []).map((name) => checkName(name, "--secret-field"))
  const generate = (options.generate ?? []).map((name) => checkName(name, "--generate"))
  for (const { name } of plain) refuseSecretField(name)
  const names = [...plain.map((f) => f.name), ...secret, ...generate]
  const twice = names.find((name, i) => names.indexOf(name) !== i)
  if (twice !== undefined) throw usageError(`field "${twice}" is given more than once`)
  return { plain, secret, generate, generator: generatorParams(options) }
}

/**
 * Turns a plan into field values: secret fields read in order (prompt or stdin
 * lines), generated ones filled. `existing` holds the kinds of the fields a
 * record already has: an edit keeps a field's kind, and refuses to put a value
 * on argv into a field that holds a secret.
 */
export async function readFields(
  plan: FieldPlan,
  secrets: SecretReader,
  generator: Generator,
  existing: Record<string, { kind: FieldKind }> = {},
): Promise<Record<string, FieldValue>> {
  const fields: Record<string, FieldValue> = {}
  for (const { name, value } of plan.plain) {
    const kind = existing[name]?.kind
    if (kind === "secret") throw usageError(`field "${name}" holds a secret: use --secret-field ${name}`)
    fields[name] = { value, kind: kind ?? inferKind(name, false) }
  }
  for (const name of plan.secret) fields[name] = { value: await secrets.secretField(name), kind: inferKind(name, true) }
  for (const name of plan.generate) fields[name] = { value: await generator(plan.generator), kind: "secret" }
  return fields
}

/** The kind a field gets from its name: url, email, totp, secret (for secret fields), else text. */
export function inferKind(name: string, secret: boolean): FieldKind {
  const lower = name.toLowerCase()
  if (lower === "totp" || lower === "otp") return "totp"
  if (secret) return "secret"
  if (lower === "url" || lower === "website" || lower.startsWith("uri")) return "url"
  if (lower === "email" || lower === "e-mail") return "email"
  return "text"
}

/**
 * The generator options of `generate` and `add`/`edit --generate`, checked for
 * what only the command line can get wrong (the daemon checks the ranges).
 */
export function generatorParams(options: Pick<FieldOptions, "length" | "symbols" | "digits" | "words" | "separator">): GenerateParams {
  if (options.words !== undefined && options.length !== undefined) throw usageError("give --length (a password) or --words (a passphrase), not both")
  if (options.separator !== undefined && options.words === undefined) throw usageError("--separator goes with --words (a passphrase)")
  if (options.words !== undefined && (options.symbols === false || options.digits === false)) {
    throw usageError("--no-symbols and --no-digits are for passwords: a passphrase (--words) has only words")
  }
  const params: GenerateParams = {}
  if (options.words !== undefined) params.words = options.words
  if (options.separator !== undefined) params.separator = options.separator
  if (options.length !== undefined) params.length = options.length
  if (options.symbols === false) params.symbols = false
  if (options.digits === false) params.digits = false
  return params
}

/** "a password of 24 characters", "a passphrase of 6 words": what a generated value is, never the value. */
export function describeGenerated(params: GenerateParams): string {
  if (params.words !== undefined) return `a passphrase of ${params.words} words`
  return `a password of ${params.length ?? GENERATE_LIMITS.defaultLength} characters`
}

function parseAssignment(text: string): { name: string; value: string } {
  const equals = text.indexOf("=")
  // The text may be a secret typed by mistake: the message does not repeat it.
  if (equals <= 0) throw usageError("--field takes NAME=VALUE (a name, an equals sign, then the value)")
  return { name: checkName(text.slice(0, equals), "--field"), value: text.slice(equals + 1) }
}

function checkName(name: string, option: string): string {
  const trimmed = name.trim()
  if (trimmed === "") throw usageError(`${option} needs a field name`)
  if (option !== "--field" && trimmed.includes("=")) {
    throw usageError(`${option} takes only a field NAME: the value comes from a hidden prompt or a line of stdin, never the command line`)
  }
  return trimmed
}
