/** How often idle buckets are looked for. */
const EVICT_INTERVAL_MS = 5_000
/** A bucket unused this long goes back to its snapshot (its Automerge document is freed). */
const BUCKET_IDLE_MS = 30_000
/** Buckets evicted per tick: each costs one Automerge save() of its records (≈ 1–3 ms at 150 records), so a tick stays short. */
const EVICT_PER_TICK = 8

/** What eviction needs of the open records. */
export interface Evictable {
  evictIdle(idleMs: number, max: number): number
}

/**
 * Keeps an unlocked vault to what it uses: buckets nobody read or changed for a
 * while are sent back to their snapshot and summary index (VaultDoc.evictIdle),
 * a few per tick so no tick blocks the event loop for long.
 */
export class BucketEviction {
  private readonly timer: NodeJS.Timeout

  constructor(deps: { doc: Evictable }, options: { intervalMs?: number; idleMs?: number } = {}) {
    const idleMs = options.idleMs ?? BUCKET_IDLE_MS
    this.timer = setInterval(() => deps.doc.evictIdle(idleMs, EVICT_PER_TICK), options.intervalMs ?? EVICT_INTERVAL_MS).unref()
  }

  /** Stops looking (at lock); idempotent. */
  stop(): void {
    clearInterval(this.timer)
  }
}
