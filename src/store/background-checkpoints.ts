import type Database from "better-sqlite3"
import { CheckpointSchedule, type CheckpointScheduleOptions } from "./checkpoint-schedule.js"
import { CheckpointThread } from "./checkpoint-thread.js"
import { WalIndexFile } from "./wal-index.js"

/** SQLite's automatic checkpoint threshold (pages), given back when the background stops. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000

/**
 * A writing connection's checkpoints taken off its thread: SQLite's automatic
 * checkpoint (which runs inside the commit that crosses 1,000 pages, and so
 * inside an edit) is turned off, and a {@link CheckpointSchedule} reading the
 * wal-index runs them on a {@link CheckpointThread} instead. {@link stop} gives
 * them back to SQLite. Commits still fsync the WAL as before: only the copy into
 * the database moves.
 */
export class BackgroundCheckpoints {
  private readonly thread: CheckpointThread
  private readonly walIndex: WalIndexFile
  private readonly schedule: CheckpointSchedule
  private stopped = false

  /**
   * Takes `db`'s checkpoints off its thread; undefined (SQLite keeps them, `failed` hears why) if its wal-index
   * cannot be opened. `failed` also hears of a background checkpoint that failed (they are back with SQLite then).
   */
  static start(db: Database.Database, path: string, failed: (error: unknown) => void, options: CheckpointScheduleOptions = {}): BackgroundCheckpoints | undefined {
    try {
      return new BackgroundCheckpoints(db, path, failed, options)
    } catch (error) {
      failed(error)
      return undefined
    }
  }

  private constructor(private readonly db: Database.Database, path: string, failed: (error: unknown) => void, options: CheckpointScheduleOptions = {}) {
    this.walIndex = WalIndexFile.open(path)
    this.thread = new CheckpointThread(path)
    db.pragma("wal_autocheckpoint = 0")
    this.schedule = new CheckpointSchedule({
      frames: () => this.walIndex.read(),
      background: () => this.thread.run(),
      inline: () => this.inline(),
      failed: (error) => {
        this.stop()
        failed(error)
      },
    }, options)
  }

  /** A write committed on the connection. */
  afterWrite(): void {
    this.schedule.afterWrite()
  }

  /** A checkpoint on this thread: the write that asked is committed already, so a failure is left for the next pass to mend. */
  private inline(): void {
    try {
      this.db.pragma("wal_checkpoint(PASSIVE)")
    } catch {
      // SQLITE_BUSY or an I/O error: the WAL still holds everything; the next pass copies it.
    }
  }

  /** SQLite checkpoints on its own again, the worker ends; idempotent. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.schedule.stop()
    this.thread.stop()
    this.walIndex.close()
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`)
  }
}
