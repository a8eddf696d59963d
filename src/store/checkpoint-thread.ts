import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"

/** The worker ends once it has had no checkpoint to run for this long (it holds ≈ 10 MiB while it lives). */
const IDLE_EXIT_MS = 10_000
/** Its heap: it holds one connection and a few small messages. */
const WORKER_HEAP_MB = 8
/** {@link CheckpointThread.close} waits at most this long for the workers to close their connections (a pass one runs finishes first). */
const CLOSE_WAIT_MS = 5_000

/** What one checkpoint pass did (PRAGMA wal_checkpoint's row). */
export interface CheckpointPass {
  /** Another checkpoint was running: this one did nothing. */
  busy: boolean
  /** Frames in the WAL when it ran. */
  frames: number
  /** Frames of those now copied into the database. */
  copied: number
}

/**
 * The worker's whole program, as source: it runs from the TypeScript sources (tests)
 * and from dist/ alike, where a worker file would need a build step. It opens its
 * own connection (synchronous=FULL: the database is fsync'd before the WAL may
 * restart) and answers each message with one PASSIVE checkpoint, which never waits
 * for the writer and never blocks it; "close" closes its connection and ends the
 * worker. `closed` is set once its connection is closed, or could not be opened.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.module)
const closed = new Int32Array(workerData.closed)
function sayClosed() {
  Atomics.store(closed, 0, 1)
  Atomics.notify(closed, 0)
}
let db
try {
  db = new Database(workerData.path, { fileMustExist: true })
  db.pragma("synchronous = FULL")
} catch (error) {
  if (db) db.close()
  sayClosed()
  throw error
}
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close()
    sayClosed()
    parentPort.close()
    return
  }
  try {
    const [row] = db.pragma("wal_checkpoint(PASSIVE)")
    parentPort.postMessage({ busy: row.busy !== 0, frames: row.log, copied: row.checkpointed })
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.code || error) })
  }
})
`

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve("better-sqlite3")

/** One worker and its connection. */
interface Connection {
  readonly worker: Worker
  /** Set to 1 by the worker once its connection is closed. */
  readonly closed: Int32Array
  /** Resolves at the worker's exit. */
  readonly exited: Promise<void>
}

/**
 * A second connection to a vault database on a worker thread of its own, which
 * copies the write-ahead log into the database (a checkpoint: writes and an fsync
 * of the database file) while the event loop goes on serving edits. Started at
 * the first {@link run}, ended after IDLE_EXIT_MS without one, or by {@link stop}
 * (asynchronous) or {@link close} (blocking: for the database's own close). At
 * most one worker's connection is open at a time: a pass asked for while one is
 * closing waits for its exit.
 */
export class CheckpointThread {
  private current: Connection | undefined
  /** Workers told to close that have not exited yet. */
  private readonly closing = new Set<Connection>()
  private waiting: { resolve: (pass: CheckpointPass) => void; reject: (error: Error) => void } | undefined
  private idleTimer: NodeJS.Timeout | undefined

  constructor(readonly path: string, private readonly options: { idleExitMs?: number } = {}) {}

  /** Whether a worker is running now (not counting one closing). */
  get alive(): boolean {
    return this.current !== undefined
  }

  /** Workers that exist now: the running one and those closing. */
  get workers(): number {
    return this.closing.size + (this.current === undefined ? 0 : 1)
  }

  /** One PASSIVE checkpoint on the worker's connection; one at a time (a second call while one runs is refused). */
  run(): Promise<CheckpointPass> {
    if (this.waiting !== undefined) return Promise.reject(new Error("a checkpoint is already running"))
    clearTimeout(this.idleTimer)
    return new Promise<CheckpointPass>((resolve, reject) => {
      const waiting = { resolve, reject }
      this.waiting = waiting
      if (this.current !== undefined || this.closing.size === 0) return this.ask()
      // A stopped worker may still hold its connection (a pass it runs): the next opens once it exited, unless stopped meanwhile.
      void this.exits().then(() => {
        if (this.waiting === waiting) this.ask()
      })
    })
  }

  /**
   * Tells the worker to close its connection and end (a pass it runs finishes first), without waiting: resolves
   * once every worker has exited. A pass waiting is refused. Idempotent.
   */
  stop(): Promise<void> {
    clearTimeout(this.idleTimer)
    this.settle(new Error("the checkpoint thread was stopped"))
    const connection = this.current
    this.current = undefined
    if (connection !== undefined) {
      this.closing.add(connection)
      // Never terminate()d: a worker ended inside a better-sqlite3 call that then throws aborts the whole process.
      connection.worker.postMessage("close")
    }
    return this.exits()
  }

  /**
   * {@link stop}, then blocks until every worker has closed its connection (at most CLOSE_WAIT_MS): the
   * database's own connection is then the last, and its close checkpoints and removes the WAL as SQLite's
   * last close does (on a full disk, what frees the WAL's space). Only for that close: it holds the event loop.
   */
  close(): void {
    void this.stop()
    const deadline = Date.now() + CLOSE_WAIT_MS
    for (const connection of this.closing) Atomics.wait(connection.closed, 0, 0, Math.max(0, deadline - Date.now()))
  }

  private exits(): Promise<void> {
    return Promise.all([...this.closing].map((connection) => connection.exited)).then(() => undefined)
  }

  private ask(): void {
    try {
      (this.current ?? this.spawn()).worker.postMessage("checkpoint")
    } catch (error) {
      this.settle(error instanceof Error ? error : new Error(String(error)))
    }
  }

  private spawn(): Connection {
    const closed = new Int32Array(new SharedArrayBuffer(4))
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: BETTER_SQLITE3, path: this.path, closed: closed.buffer },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: false,
      stderr: false,
    })
    worker.unref() // never what keeps a process alive
    let exited!: () => void
    const connection: Connection = { worker, closed, exited: new Promise<void>((resolve) => (exited = resolve)) }
    // A closing worker's last answer, error or exit concerns nobody waiting now.
    worker.on("message", (reply: CheckpointPass | { error: string }) => {
      if (this.current !== connection) return
      if ("error" in reply) this.settle(new Error(`checkpoint failed: ${reply.error}`))
      else this.settle(undefined, reply)
      this.idleTimer = setTimeout(() => void this.stop(), this.options.idleExitMs ?? IDLE_EXIT_MS).unref()
    })
    worker.on("error", (error) => {
      if (this.current !== connection) return
      this.current = undefined
      this.closing.add(connection) // until its exit, which follows
      this.settle(error)
    })
    worker.on("exit", (code) => {
      this.closing.delete(connection)
      exited()
      if (this.current !== connection) return
      this.current = undefined
      this.settle(new Error(`the checkpoint thread exited (${code})`))
    })
    this.current = connection
    return connection
  }

  private settle(error: Error | undefined, pass?: CheckpointPass): void {
    const waiting = this.waiting
    this.waiting = undefined
    if (waiting === undefined) return
    if (error !== undefined) waiting.reject(error)
    else waiting.resolve(pass!)
  }
}
