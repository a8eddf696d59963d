/** What the estimator says about one secret: never the secret itself. */
export interface StrengthReport {
  /** 0 (weakest) to 4. */
  score: number
  /** log10 of the estimated guesses an attacker needs. */
  guessesLog10: number
  weak: boolean
  warning?: string
  suggestions: string[]
}

/** One line a person can act on: the estimator's warning and suggestions (apart from the estimator, so a client shows a report without loading it). */
export function describeWeakness(report: StrengthReport): string {
  return [report.warning, ...report.suggestions].filter(Boolean).join(" ") || "It is too easy to guess."
}
