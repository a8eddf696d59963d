import { errorFields, type Logger } from "../log.js"

/** Entries since the last snapshot that make the next one due... */
const SNAPSHOT_EVERY_ENTRIES = 1_000
/** ...or this many per bucket held, if more: a snapshot seals every bucket again, so its cost grows with the vault... */
const SNAPSHOT_EVERY_ENTRIES_PER_BUCKET = 8
/** ...written once no request or edit came for this long, so it never stalls a burst of edits (≈ 80 ms at 10k records)... */
const SNAPSHOT_IDLE_MS = 500
/** ...or at once past this many entries (or this many per bucket held, if more), which bounds the replay after a crash. */
const SNAPSHOT_AT_MOST_ENTRIES = 5_000
const SNAPSHOT_AT_MOST_ENTRIES_PER_BUCKET = 32
/** An unlock whose replay of the log took this long makes a snapshot due whatever the thresholds. */
const SLOW_REPLAY_MS = 1_000

/**
 * Entries pending that make a snapshot due, and that make it due at once, for a vault of `buckets` buckets:
 * 1,000 and 5,000 up to ~125 buckets (~10k records), then in step with the buckets, so the snapshots' share of
 * an edit's cost stays the same at 100k records (817 buckets: one every 6.5k entries, instead of a rewrite
 * of every bucket each 1,000 edits).
 */
export function snapshotThresholds(buckets: number): { due: number; atOnce: number } {
  return {
    due: Math.max(SNAPSHOT_EVERY_ENTRIES, SNAPSHOT_EVERY_ENTRIES_PER_BUCKET * buckets),
    atOnce: Math.max(SNAPSHOT_AT_MOST_ENTRIES, SNAPSHOT_AT_MOST_ENTRIES_PER_BUCKET * buckets),
  }
}

/** What the policy needs of the open vault. */
export interface Snapshottable {
  readonly entriesPending: number
  /** Buckets the vault holds (each one a snapshot row). */
  readonly bucketsHeld: number
  /** Writes the snapshot in slices, the event loop free between them (a call while one is written gets that one). */
  snapshotInSlices(): Promise<void>
}

/**
 * When the unlocked vault writes a snapshot (see SNAPSHOT_*, snapshotThresholds): at the next idle
 * moment once enough entries wait, or at once when too many do; in slices, so
 * requests are answered while it is written. A failed snapshot is only logged:
 * the log still holds everything.
 */
export class SnapshotPolicy {
  private timer: NodeJS.Timeout | undefined
  private lastActivityAt = 0
  /** Entries pending below which no snapshot is due: the last threshold worked out (counting buckets sorts them). */
  private dueAtLeast = SNAPSHOT_EVERY_ENTRIES

  /** `written`: called after each snapshot this policy wrote (the big work that made it due is over). */
  constructor(private readonly deps: { open: () => Snapshottable | undefined; logger: Logger; now: () => number; written?: () => void }) {}

  /** A request or an edit came: a due snapshot waits for the next idle moment. */
  noteActivity(): void {
    this.lastActivityAt = this.deps.now()
  }

  /** Writes a due snapshot at the next idle moment, or now if too many entries wait. */
  check(): void {
    const open = this.deps.open()
    if (!open || open.entriesPending < this.dueAtLeast) return
    const { due, atOnce } = snapshotThresholds(open.bucketsHeld)
    // Buckets are never dropped while unlocked: until the next snapshot or lock, fewer entries are not due either.
    this.dueAtLeast = due
    if (open.entriesPending < due) return
    if (open.entriesPending >= atOnce) {
      this.now()
      return
    }
    this.timer ??= setTimeout(() => this.whenIdle(), SNAPSHOT_IDLE_MS).unref()
  }

  /**
   * Bulk work wrote records (an import, a former vault merged): a snapshot at the next idle moment, whatever
   * the thresholds. An import writes one entry a bucket, far below them, and without a snapshot a new device
   * joining would replay every record instead of starting from it (100k imported: ~45 s of its CPU).
   */
  afterBulk(): void {
    this.timer ??= setTimeout(() => this.whenIdle(), SNAPSHOT_IDLE_MS).unref()
  }

  /**
   * An unlock replayed `replayed` entries past the last snapshot in `loadMs`: one that took SLOW_REPLAY_MS or
   * more makes a snapshot due at the next idle moment (few but heavy entries, as an import writes, stay under
   * the thresholds, and each unlock would pay the replay again); otherwise the usual {@link check}.
   */
  afterUnlock(replayed: number, loadMs: number): void {
    if (replayed > 0 && loadMs >= SLOW_REPLAY_MS) this.afterBulk()
    else this.check()
  }

  /** Forgets a pending snapshot (at lock). */
  cancel(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.dueAtLeast = SNAPSHOT_EVERY_ENTRIES
  }

  private whenIdle(): void {
    this.timer = undefined
    const idleMs = this.deps.now() - this.lastActivityAt
    if (idleMs >= SNAPSHOT_IDLE_MS) this.now()
    else this.timer = setTimeout(() => this.whenIdle(), SNAPSHOT_IDLE_MS - idleMs).unref()
  }

  private now(): void {
    this.cancel()
    const open = this.deps.open()
    if (!open || open.entriesPending === 0) return
    const entries = open.entriesPending
    open.snapshotInSlices().then(() => {
      this.deps.logger.info("snapshot written", { entries })
      this.deps.written?.()
    }, (error: unknown) => {
      this.deps.logger.warn("could not write a snapshot; the log still holds everything", errorFields(error))
    })
  }
}
