/**
 * Exponential backoff with jitter, shared by the peer dialer and the mDNS
 * re-queries: a delay that doubles up to a ceiling, each wait scaled by a random
 * factor in [1 - jitter, 1 + jitter] so devices do not retry in step.
 */
export class Backoff {
  private currentMs: number

  constructor(private readonly options: { firstMs: number; maxMs: number; jitter: number }) {
    this.currentMs = Math.min(options.firstMs, options.maxMs)
  }

  /** The wait before the next try, jittered. */
  nextDelayMs(): number {
    return this.currentMs * (1 - this.options.jitter + 2 * this.options.jitter * Math.random())
  }

  /** A try failed (or a query went out): the next wait is twice as long, up to the ceiling. */
  grow(): void {
    this.currentMs = Math.min(this.currentMs * 2, this.options.maxMs)
  }

  /** Waits from now on are the longest (a final refusal). */
  toMax(): void {
    this.currentMs = this.options.maxMs
  }

  /** A try succeeded: back to the first delay. */
  reset(): void {
    this.currentMs = Math.min(this.options.firstMs, this.options.maxMs)
  }
}
