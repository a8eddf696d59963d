/** Length of the sliding window of the per-address limit. */
export const RATE_WINDOW_MS = 60_000
/** Past this many tracked keys, every call sweeps out stale ones first. */
const SWEEP_THRESHOLD_KEYS = 1_024

/**
 * A sliding-window limit of events per key (here: connection attempts per
 * remote address per minute). Pure apart from the clock it is given.
 */
export class RateLimiter {
  readonly #limit: number
  readonly #windowMs: number
  readonly #events = new Map<string, number[]>()

  constructor(limit: number, windowMs: number = RATE_WINDOW_MS) {
    if (!(Number.isInteger(limit) && limit >= 0)) throw new RangeError("limit must be a non-negative integer")
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** Records an attempt for `key` at `nowMs`; false if the key is over its limit. */
  tryAcquire(key: string, nowMs: number): boolean {
    if (this.#events.size > SWEEP_THRESHOLD_KEYS) this.#sweep(nowMs)
    const recent = (this.#events.get(key) ?? []).filter((time) => nowMs - time < this.#windowMs)
    const allowed = recent.length < this.#limit
    if (allowed) recent.push(nowMs)
    if (recent.length === 0) this.#events.delete(key)
    else this.#events.set(key, recent)
    return allowed
  }

  /** Number of keys currently tracked (for tests and diagnostics). */
  get trackedKeys(): number {
    return this.#events.size
  }

  #sweep(nowMs: number): void {
    for (const [key, times] of this.#events) {
      if (times.every((time) => nowMs - time >= this.#windowMs)) this.#events.delete(key)
    }
  }
}
