import { randomInt } from "node:crypto"
import type { FieldKind, FieldValue } from "../merge/types.js"
import { refuseSecretField } from "./argv-guard.js"
import { usageError } from "./cli-error.js"
import type { SecretReader } from "./secrets.js"

/** Length of a `--generate`d password unless `--length` says otherwise. */
export const DEFAULT_GENERATED_LENGTH = 24
export const MIN_GENERATED_LENGTH = 8
export const MAX_GENERATED_LENGTH = 256

const LOWER = "abcdefghijklmnopqrstuvwxyz"
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
const DIGITS = "0123456789"
// No quotes, backslash, backtick or space: they break copy-paste into shells and forms.
const SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{|}~"
const ALPHABET = LOWER + UPPER + DIGITS + SYMBOLS
const CLASSES = [LOWER, UPPER, DIGITS, SYMBOLS]

/** The field options `add` and `edit` share. */
export interface FieldOptions {
  field?: string[]
  secretField?: string[]
  generate?: string[]
  length?: number
}

/** What the field options ask for, checked before anything is read or sent. */
export interface FieldPlan {
  plain: Array<{ name: string; value: string }>
  secret: string[]
  generate: string[]
  length: number
}

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
  return { plain, secret, generate, length: options.length ?? DEFAULT_GENERATED_LENGTH }
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
  existing: Record<string, { kind: FieldKind }> = {},
): Promise<Record<string, FieldValue>> {
  const fields: Record<string, FieldValue> = {}
  for (const { name, value } of plan.plain) {
    const kind = existing[name]?.kind
    if (kind === "secret") throw usageError(`field "${name}" holds a secret: use --secret-field ${name}`)
    fields[name] = { value, kind: kind ?? inferKind(name, false) }
  }
  for (const name of plan.secret) fields[name] = { value: await secrets.secretField(name), kind: inferKind(name, true) }
  for (const name of plan.generate) fields[name] = { value: generatePassword(plan.length), kind: "secret" }
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
 * A strong random password: `length` characters drawn uniformly (crypto RNG)
 * from 88 letters, digits and symbols, redrawn until every class appears.
 */
export function generatePassword(length: number = DEFAULT_GENERATED_LENGTH): string {
  if (!Number.isInteger(length) || length < MIN_GENERATED_LENGTH || length > MAX_GENERATED_LENGTH) {
    throw usageError(`--length must be a whole number from ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH}`)
  }
  for (;;) {
    let password = ""
    for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)]
    if (CLASSES.every((chars) => [...password].some((c) => chars.includes(c)))) return password
  }
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
