import { setImmediate as nextTurn } from "node:timers/promises"

/** How often idle buckets are looked for. */
const EVICT_INTERVAL_MS = 5_000
/** A bucket unused this long goes back to its snapshot (its Automerge document is freed). */
const BUCKET_IDLE_MS = 30_000
/** Buckets evicted per tick, one per turn of the event loop: each costs an Automerge save() of its records (tens of ms for a full bucket on a busy machine). */
const EVICT_PER_TICK = 8

/** What eviction needs of the open records. */
export interface Evictable {
  evictIdle(idleMs: number, max: number): number
}

/**
 * Keeps an unlocked vault to what it uses: buckets nobody read or changed for a
 * while are sent back to their snapshot and summary index (VaultDoc.evictIdle),
 * a few per tick and one per turn of the event loop, so an edit or a request
 * arriving meanwhile waits for one bucket's save at most, never for a tick's.
 */
export class BucketEviction {
  private readonly timer: NodeJS.Timeout
  private stopped = false
  private running = false

  constructor(private readonly deps: { doc: Evictable }, options: { intervalMs?: number; idleMs?: number } = {}) {
    const idleMs = options.idleMs ?? BUCKET_IDLE_MS
    this.timer = setInterval(() => void this.tick(idleMs), options.intervalMs ?? EVICT_INTERVAL_MS).unref()
  }

  /** Stops looking (at lock), also between two buckets of a tick; idempotent. */
  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
  }

  private async tick(idleMs: number): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (let evicted = 0; evicted < EVICT_PER_TICK && !this.stopped; evicted++) {
        if (this.deps.doc.evictIdle(idleMs, 1) === 0) return
        await nextTurn()
      }
    } finally {
      this.running = false
    }
  }
}
