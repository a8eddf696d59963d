/** Order statistics of repeated measurements. */

export interface Summary {
  n: number
  median: number
  /** Nearest-rank 99th percentile (with fewer than 100 samples it is the maximum). */
  p99: number
  min: number
  max: number
}

/** Median, p99, min and max of `samples`; throws on an empty list (a phase that measured nothing broke). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("no samples to summarize")
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  }
}

/** Nearest-rank percentile of an ascending list (the median of an even count is the mean of the middle two). */
function percentile(sorted: readonly number[], p: number): number {
  if (p === 50 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2
    return (sorted[mid - 1] + sorted[mid]) / 2
  }
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}
