import type { Logger } from "./log.js"

/** One line per key (e.g. an address and a reason) per window at most. */
const DEFAULT_WINDOW_MS = 60_000
/** Lines of all keys together per window: a crowd of addresses cannot flood the log either. */
const DEFAULT_MAX_LINES_PER_WINDOW = 60
/** Keys remembered at once; the oldest are forgotten first. */
const DEFAULT_MAX_KEYS = 4_096

/** Options of a {@link LogThrottle}. */
export interface LogThrottleOptions {
  windowMs?: number
  maxLinesPerWindow?: number
  maxKeys?: number
  now?: () => number
}

/**
 * Rate-limits repeated warnings (issue 11 item 13: every refused connection
 * logged a line). The first line of a key in a window is written; repeats are
 * counted and the count rides on the key's next written line as `suppressed`.
 */
export class LogThrottle {
  readonly #keys = new Map<string, { since: number; suppressed: number }>()
  readonly #windowMs: number
  readonly #maxLines: number
  readonly #maxKeys: number
  readonly #now: () => number
  #windowStart = -Infinity
  #linesInWindow = 0
  #suppressedOverall = 0

  constructor(private readonly logger: Logger, options: LogThrottleOptions = {}) {
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS
    this.#maxLines = options.maxLinesPerWindow ?? DEFAULT_MAX_LINES_PER_WINDOW
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
    this.#now = options.now ?? Date.now
  }

  /** Writes a warning unless `key` (or the whole log) already had its share of this window. */
  warn(key: string, message: string, fields: Record<string, unknown> = {}): boolean {
    const now = this.#now()
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now
      this.#linesInWindow = 0
    }
    const entry = this.#keys.get(key)
    if ((entry !== undefined && now - entry.since < this.#windowMs) || this.#linesInWindow >= this.#maxLines) {
      if (entry !== undefined && now - entry.since < this.#windowMs) entry.suppressed++
      else this.#suppressedOverall++
      return false
    }
    const extra: Record<string, unknown> = {}
    if (entry !== undefined && entry.suppressed > 0) extra.suppressed = entry.suppressed
    if (this.#suppressedOverall > 0) extra.suppressedOthers = this.#suppressedOverall
    this.#suppressedOverall = 0
    this.#linesInWindow++
    this.#keys.delete(key)
    this.#keys.set(key, { since: now, suppressed: 0 })
    this.#prune()
    this.logger.warn(message, { ...fields, ...extra })
    return true
  }

  /** Map order is insertion order (a written key is re-inserted): the first keys are the oldest written. */
  #prune(): void {
    for (const key of this.#keys.keys()) {
      if (this.#keys.size <= this.#maxKeys) break
      this.#keys.delete(key)
    }
  }
}
