import { createRequire } from "node:module"
import type { ZxcvbnFactory } from "@zxcvbn-ts/core"
import { LanvaultError } from "../errors.js"
import { describeWeakness, type StrengthReport } from "./strength-report.js"

export { describeWeakness, type StrengthReport }

/** zxcvbn's scale: 0 too guessable … 4 very unguessable; 3 is "safely unguessable" (about 10^10 guesses offline). */
export const MIN_STRONG_SCORE = 3
/** Longer inputs are judged on their first characters only: zxcvbn's cost grows faster than the length. */
const MAX_JUDGED_CHARS = 64
/**
 * A secret whose first this-many characters are already strong is strong (more
 * characters only add guesses), so only those are judged: zxcvbn takes about 5×
 * longer for 24 random characters than for 16.
 */
const QUICK_PREFIX_CHARS = 16


let estimator: ZxcvbnFactory | undefined

/**
 * The estimator with the common and English dictionaries, loaded and built once
 * (≈ 1–2 s, ≈ 16 MiB) on first use: a daemon that never judges a password never
 * loads them (issue 18). `require` keeps this synchronous (the packages ship CommonJS).
 */
function zxcvbn(): ZxcvbnFactory {
  if (estimator !== undefined) return estimator
  const require = createRequire(import.meta.url)
  const { ZxcvbnFactory: Factory } = require("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core")
  const common = require("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common")
  const english = require("@zxcvbn-ts/language-en") as typeof import("@zxcvbn-ts/language-en")
  estimator = new Factory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  })
  return estimator
}

/**
 * Estimates how hard `secret` is to guess (zxcvbn-ts). `context` holds words
 * an attacker would try first (the device name, "lanvault", a record's title):
 * a secret built on them scores lower.
 */
export function estimateStrength(secret: string, context: readonly string[] = []): StrengthReport {
  const chars = [...secret]
  const inputs = ["lanvault", ...context.filter((word) => word.length > 0)]
  let result = zxcvbn().check(chars.slice(0, QUICK_PREFIX_CHARS).join(""), inputs)
  if (chars.length > QUICK_PREFIX_CHARS && result.score < MIN_STRONG_SCORE) result = zxcvbn().check(chars.slice(0, MAX_JUDGED_CHARS).join(""), inputs)
  return {
    score: result.score,
    guessesLog10: Math.round(result.guessesLog10 * 10) / 10,
    weak: result.score < MIN_STRONG_SCORE,
    ...(result.feedback.warning ? { warning: result.feedback.warning } : {}),
    suggestions: result.feedback.suggestions,
  }
}


/**
 * Refuses a weak new account password (WEAK_PASSWORD, with the score and the
 * feedback as data) unless the person chose `allowWeak`. The error never
 * carries the password.
 */
export function requireStrongPassword(password: string, options: { allowWeak?: boolean; context?: readonly string[] } = {}): StrengthReport {
  const report = estimateStrength(password, options.context)
  if (report.weak && options.allowWeak !== true) {
    throw new LanvaultError("WEAK_PASSWORD", `this password is too easy to guess (strength ${report.score} of 4): ${describeWeakness(report)} Choose a longer one (a few unrelated words work well), or pass --allow-weak.`, {
      data: { score: report.score, warning: report.warning, suggestions: report.suggestions },
    })
  }
  return report
}
