import { setImmediate as nextTurn } from "node:timers/promises"

/** How often idle buckets are looked for. */
const EVICT_INTERVAL_MS = 5_000
/** A bucket unused this long goes back to its snapshot (its Automerge document is freed). */
const BUCKET_IDLE_MS = 30_000
/** Buckets evicted per tick, one per turn of the event loop: each costs an Automerge save() of its records (tens of ms for a full bucket on a busy machine). */
const EVICT_PER_TICK = 8
/**
 * Buckets kept loaded at most, however many were used within BUCKET_IDLE_MS: a
 * loaded bucket of 128 records holds ≈ 0.3 MiB of JavaScript objects, and every
 * major collection walks them all. Editing records all over a 100k vault (780
 * buckets) kept loading more, and the collections of the growing heap fell
 * inside the edits (`npm run bench -- --large`: 27 major collections during 500
 * edits, against 1 at 10k). 10k records created one by one make 126–128 buckets (the allocator, 20 runs): there it never acts.
 */
export const MAX_LOADED_BUCKETS = 128

/** What eviction needs of the open records. */
export interface Evictable {
  /** Evicts buckets idle `idleMs` and the least recently used beyond `keepLoaded`, at most `max`; returns how many. */
  evictIdle(idleMs: number, max: number, keepLoaded?: number): number
  readonly loadedBuckets: number
}

/**
 * Keeps an unlocked vault to what it uses: buckets nobody read or changed for a
 * while, and the least recently used ones once more than MAX_LOADED_BUCKETS are
 * loaded, are sent back to their snapshot and summary index (VaultDoc.evictIdle),
 * one per turn of the event loop, so an edit or a request arriving meanwhile waits
 * for one bucket's save at most, never for a batch's.
 */
export class BucketEviction {
  private readonly timer: NodeJS.Timeout
  private readonly idleMs: number
  private readonly maxLoaded: number
  private stopped = false
  private running = false
  private scheduled = false

  constructor(private readonly deps: { doc: Evictable }, options: { intervalMs?: number; idleMs?: number; maxLoaded?: number } = {}) {
    this.idleMs = options.idleMs ?? BUCKET_IDLE_MS
    this.maxLoaded = options.maxLoaded ?? MAX_LOADED_BUCKETS
    this.timer = setInterval(() => void this.run(EVICT_PER_TICK), options.intervalMs ?? EVICT_INTERVAL_MS).unref()
  }

  /** A bucket was just loaded: past the limit, the least recently used go back from the next turn on. */
  loaded(): void {
    if (this.stopped || this.running || this.scheduled || this.deps.doc.loadedBuckets <= this.maxLoaded) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      void this.run(0)
    })
  }

  /** Stops looking (at lock), also between two buckets; idempotent. */
  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
  }

  /** Evicts `max` idle buckets, and more while more than maxLoaded are loaded (a run already going does both). */
  private async run(max: number): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (let evicted = 0; (evicted < max || this.deps.doc.loadedBuckets > this.maxLoaded) && !this.stopped; evicted++) {
        if (this.deps.doc.evictIdle(this.idleMs, 1, this.maxLoaded) === 0) return
        await nextTurn()
      }
    } finally {
      this.running = false
    }
  }
}
