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
 * wal-index runs them on a {@link CheckpointThread} instead, from {@link start}
 * to {@link stop} (an unlocked session), as often as asked. {@link stop} gives
 * them back to SQLite at once; {@link close} (the database's close) also waits
 * for the worker to close its connection. Commits still fsync the WAL as before:
 * only the copy into the database moves.
 */
export class BackgroundCheckpoints {
  /** Kept across sessions: one stopped may still be closing its connection when the next session asks for a pass. */
  private readonly thread: CheckpointThread
  private session: { schedule: CheckpointSchedule; walIndex: WalIndexFile } | undefined

  constructor(private readonly db: Database.Database, path: string, private readonly options: CheckpointScheduleOptions = {}) {
    this.thread = new CheckpointThread(path)
  }

  /**
   * Takes the connection's checkpoints off its thread, if not already; SQLite keeps them (`failed` hears why) if its
   * wal-index cannot be opened. `failed` also hears of a background checkpoint that failed (they are back with SQLite then).
   */
  start(failed: (error: unknown) => void): void {
    if (this.session !== undefined) return
    let walIndex: WalIndexFile
    try {
      walIndex = WalIndexFile.open(this.thread.path)
    } catch (error) {
      failed(error)
      return
    }
    try {
      this.db.pragma("wal_autocheckpoint = 0")
    } catch (error) {
      walIndex.close()
      failed(error)
      return
    }
    const schedule = new CheckpointSchedule({
      frames: () => walIndex.read(),
      background: () => this.thread.run(),
      inline: () => this.inline(),
      failed: (error) => {
        this.stop()
        failed(error)
      },
    }, this.options)
    this.session = { schedule, walIndex }
  }

  /** A write committed on the connection. */
  afterWrite(): void {
    this.session?.schedule.afterWrite()
  }

  /** SQLite checkpoints on its own again; the worker is told to end and not waited for (a pass it runs finishes first). Idempotent. */
  stop(): void {
    const session = this.session
    if (session === undefined) return
    this.session = undefined
    session.schedule.stop()
    void this.thread.stop()
    session.walIndex.close()
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`)
  }

  /** {@link stop}, then blocks until no worker holds a connection (at most 5 s): the connection's close is then SQLite's last, which removes the WAL. */
  close(): void {
    this.stop()
    this.thread.close()
  }

  /** A checkpoint on this thread: the write that asked is committed already, so a failure is left for the next pass to mend. */
  private inline(): void {
    try {
      this.db.pragma("wal_checkpoint(PASSIVE)")
    } catch {
      // SQLITE_BUSY or an I/O error: the WAL still holds everything; the next pass copies it.
    }
  }
}
