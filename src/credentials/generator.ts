import { randomInt } from "node:crypto"
import { DEFAULT_WORDLIST } from "secure-password-utilities/wordlists"
import { GENERATE_LIMITS, type GenerateParams } from "../api/protocol.js"
import { InvalidParamsError } from "../errors.js"

const { defaultLength: DEFAULT_PASSWORD_LENGTH, minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH } = GENERATE_LIMITS
const { minWords: MIN_PASSPHRASE_WORDS, maxWords: MAX_PASSPHRASE_WORDS, defaultSeparator: DEFAULT_SEPARATOR, maxSeparatorChars: MAX_SEPARATOR_CHARS } = GENERATE_LIMITS

const LOWER = "abcdefghijklmnopqrstuvwxyz"
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
const DIGITS = "0123456789"
// No quotes, backslash, backtick or space: they break copy-paste into shells and forms.
const SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{|}~"

/** What to generate: a password of `length` characters, or (with `words`) a passphrase; symbols and digits default to on. */
export type GenerateOptions = GenerateParams

/** A generated value and its strength. */
export interface Generated {
  value: string
  kind: "password" | "passphrase"
  /** log2 of the number of equally likely values the generator draws from (before the every-class rule). */
  entropyBits: number
}

/**
 * A password drawn uniformly (crypto RNG) from letters plus, unless turned off,
 * digits and symbols, redrawn until every class appears; or a passphrase of
 * words drawn uniformly from the EFF long word list (the 7,772 words without a
 * hyphen, so "-" separates unambiguously). Bad options throw INVALID_PARAMS.
 */
export function generate(options: GenerateOptions = {}): Generated {
  checkOptions(options)
  if (options.words !== undefined) return passphrase(options.words, options.separator ?? DEFAULT_SEPARATOR)
  return password(options.length ?? DEFAULT_PASSWORD_LENGTH, options.digits !== false, options.symbols !== false)
}

function password(length: number, digits: boolean, symbols: boolean): Generated {
  const classes = [LOWER, UPPER, ...(digits ? [DIGITS] : []), ...(symbols ? [SYMBOLS] : [])]
  const alphabet = classes.join("")
  for (;;) {
    let value = ""
    for (let i = 0; i < length; i++) value += alphabet[randomInt(alphabet.length)]
    if (classes.every((chars) => [...value].some((c) => chars.includes(c)))) {
      return { value, kind: "password", entropyBits: Math.floor(length * Math.log2(alphabet.length)) }
    }
  }
}

function passphrase(words: number, separator: string): Generated {
  const chosen: string[] = []
  for (let i = 0; i < words; i++) chosen.push(DEFAULT_WORDLIST[randomInt(DEFAULT_WORDLIST.length)])
  return { value: chosen.join(separator), kind: "passphrase", entropyBits: Math.floor(words * Math.log2(DEFAULT_WORDLIST.length)) }
}

function checkOptions(options: GenerateOptions): void {
  const { length, words, separator } = options
  if (length !== undefined && !isIntegerIn(length, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)) {
    throw new InvalidParamsError(`the length must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}`)
  }
  if (words !== undefined && !isIntegerIn(words, MIN_PASSPHRASE_WORDS, MAX_PASSPHRASE_WORDS)) {
    throw new InvalidParamsError(`the number of words must be a whole number from ${MIN_PASSPHRASE_WORDS} to ${MAX_PASSPHRASE_WORDS}`)
  }
  if (words !== undefined && length !== undefined) throw new InvalidParamsError("give a length (a password) or a number of words (a passphrase), not both")
  if (separator !== undefined && (typeof separator !== "string" || [...separator].length > MAX_SEPARATOR_CHARS || /[\p{Cc}]/u.test(separator))) {
    throw new InvalidParamsError(`the separator must be at most ${MAX_SEPARATOR_CHARS} printable characters`)
  }
  if (separator !== undefined && words === undefined) throw new InvalidParamsError("a separator goes with a number of words (a passphrase)")
  for (const name of ["symbols", "digits"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "boolean") throw new InvalidParamsError(`"${name}" must be true or false`)
  }
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
}
