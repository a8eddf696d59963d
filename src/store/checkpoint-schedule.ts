import type { CheckpointPass } from "./checkpoint-thread.js"
import type { WalFrames } from "./wal-index.js"

/** Frames waiting in the WAL (≈ 4 MiB) that make a checkpoint due: SQLite's own automatic threshold. */
const DUE_FRAMES = 1_000
/**
 * The WAL's length past which a checkpoint runs on this thread if the background ones
 * did not bring it back (≈ 40 MiB): the bound on its size. A WAL restarts from its start
 * only at a write that finds every frame copied, so once it is DUE_FRAMES long a pass
 * follows each write until one does; a pass that ran while writes came can lose that race.
 */
const BOUND_FRAMES = 10_000
/** No write for this long is an idle moment: whatever waits is copied then. */
const IDLE_MS = 1_000

export interface CheckpointScheduleDeps {
  /** The WAL now (undefined: unreadable this moment, so nothing is decided). */
  frames: () => WalFrames | undefined
  /** One checkpoint pass off the event loop. */
  background: () => Promise<CheckpointPass>
  /** One checkpoint on this thread, now (blocks until done). */
  inline: () => void
  /** A background pass failed: the schedule stops; the caller gives checkpoints back to SQLite. */
  failed: (error: unknown) => void
  now?: () => number
}

export interface CheckpointScheduleOptions {
  dueFrames?: number
  boundFrames?: number
  idleMs?: number
}

/**
 * When the write-ahead log is copied into the database, with SQLite's automatic
 * checkpoint turned off: never inside a commit (an edit waited there for the copy
 * and its fsync: the tail of its latency) but in the background, right after the
 * write that made DUE_FRAMES wait (and after each next one while the WAL is that
 * long, so it restarts from its start), and at idle moments; on this thread only
 * past BOUND_FRAMES, so the WAL cannot grow without limit. Told of every committed
 * write by {@link afterWrite}.
 */
export class CheckpointSchedule {
  private running = false
  /** The WAL's length at the last pass on this thread: the next waits until it grew by dueFrames more (a reader may keep it from restarting). */
  private inlineAt = 0
  private lastWriteAt = 0
  private idleTimer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly now: () => number

  constructor(private readonly deps: CheckpointScheduleDeps, private readonly options: CheckpointScheduleOptions = {}) {
    this.now = deps.now ?? Date.now
  }

  /** A write committed: a pass in the background if enough waits or the WAL is long, on this thread past the bound; else one when idle. */
  afterWrite(): void {
    if (this.stopped) return
    this.lastWriteAt = this.now()
    const wal = this.deps.frames()
    if (wal === undefined || wal.pending === 0) return
    if (wal.frames < this.inlineAt) this.inlineAt = 0 // it restarted from its start
    if (!this.running && wal.frames >= Math.max(this.boundFrames, this.inlineAt + this.dueFrames)) this.inline(wal.frames)
    else if (wal.frames >= this.dueFrames) this.startBackground()
    else this.idleTimer ??= setTimeout(() => this.whenIdle(), this.idleMs).unref()
  }

  /** No more passes (a pass running ends on its own); idempotent. */
  stop(): void {
    this.stopped = true
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }

  private get dueFrames(): number {
    return this.options.dueFrames ?? DUE_FRAMES
  }

  private get boundFrames(): number {
    return this.options.boundFrames ?? BOUND_FRAMES
  }

  private get idleMs(): number {
    return this.options.idleMs ?? IDLE_MS
  }

  private startBackground(): void {
    if (this.running || this.stopped) return
    this.running = true
    this.deps.background().then(() => {
      this.running = false
      this.afterPass()
    }, (error: unknown) => {
      this.running = false
      if (this.stopped) return
      this.stop()
      this.deps.failed(error)
    })
  }

  /** More than a pass's worth came while it ran: another at once; less waits for the next write or idle moment. */
  private afterPass(): void {
    const wal = this.stopped ? undefined : this.deps.frames()
    if (wal === undefined || wal.pending === 0) return
    if (wal.pending >= this.dueFrames) this.startBackground()
    else this.idleTimer ??= setTimeout(() => this.whenIdle(), this.idleMs).unref()
  }

  private whenIdle(): void {
    this.idleTimer = undefined
    if (this.stopped || this.running) return
    const idleFor = this.now() - this.lastWriteAt
    if (idleFor < this.idleMs) this.idleTimer = setTimeout(() => this.whenIdle(), this.idleMs - idleFor).unref()
    else if ((this.deps.frames()?.pending ?? 0) > 0) this.startBackground()
  }

  private inline(walFrames: number): void {
    this.inlineAt = walFrames
    this.deps.inline()
  }
}
