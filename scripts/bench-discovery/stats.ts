/** Order statistics of the discovery benchmark: median, min, max and nearest-rank p90. */

export interface Spread {
  n: number
  median: number
  min: number
  max: number
  p90: number
}

/** The spread of `samples` (undefined values skipped); undefined when there is none. */
export function spread(samples: ReadonlyArray<number | undefined>): Spread | undefined {
  const sorted = samples.filter((s): s is number => typeof s === "number" && Number.isFinite(s)).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const mid = sorted.length / 2
  const median = sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)]
  const p90 = sorted[Math.min(sorted.length, Math.max(1, Math.ceil(0.9 * sorted.length))) - 1]
  return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1], p90 }
}
