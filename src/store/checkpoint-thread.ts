import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"

/** The worker ends once it has had no checkpoint to run for this long (it holds ≈ 10 MiB while it lives). */
const IDLE_EXIT_MS = 10_000
/** Its heap: it holds one connection and a few small messages. */
const WORKER_HEAP_MB = 8
/** {@link CheckpointThread.stop} waits at most this long for the worker to close its connection (a pass it runs finishes first). */
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
 * for the writer and never blocks it; "close" closes its connection and says so in `closed`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.module)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma("synchronous = FULL")
const closed = new Int32Array(workerData.closed)
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close()
    Atomics.store(closed, 0, 1)
    Atomics.notify(closed, 0)
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

/**
 * A second connection to a vault database on a worker thread of its own, which
 * copies the write-ahead log into the database (a checkpoint: writes and an fsync
 * of the database file) while the event loop goes on serving edits. Started at
 * the first {@link run}, ended after IDLE_EXIT_MS without one, or by {@link stop}.
 */
export class CheckpointThread {
  private worker: Worker | undefined
  private waiting: { resolve: (pass: CheckpointPass) => void; reject: (error: Error) => void } | undefined
  private idleTimer: NodeJS.Timeout | undefined
  /** Set to 1 by the worker once its connection is closed. */
  private closed = new Int32Array(new SharedArrayBuffer(4))

  constructor(private readonly path: string, private readonly options: { idleExitMs?: number } = {}) {}

  /** Whether the worker is running now. */
  get alive(): boolean {
    return this.worker !== undefined
  }

  /** One PASSIVE checkpoint on the worker's connection; one at a time (a second call while one runs is refused). */
  run(): Promise<CheckpointPass> {
    if (this.waiting !== undefined) return Promise.reject(new Error("a checkpoint is already running"))
    clearTimeout(this.idleTimer)
    const worker = this.worker ?? this.spawn()
    return new Promise<CheckpointPass>((resolve, reject) => {
      this.waiting = { resolve, reject }
      worker.postMessage("checkpoint")
    })
  }

  /**
   * Ends the worker once it has closed its connection (waiting for a pass it runs, at most CLOSE_WAIT_MS): the
   * database's own connection is then the last, and its close checkpoints and removes the WAL as SQLite's
   * last close does (on a full disk, what frees the WAL's space). Idempotent.
   */
  stop(): void {
    clearTimeout(this.idleTimer)
    const worker = this.worker
    this.worker = undefined
    this.settle(new Error("the checkpoint thread was stopped"))
    if (worker === undefined) return
    worker.postMessage("close")
    Atomics.wait(this.closed, 0, 0, CLOSE_WAIT_MS)
    void worker.terminate()
  }

  private spawn(): Worker {
    this.closed = new Int32Array(new SharedArrayBuffer(4))
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: BETTER_SQLITE3, path: this.path, closed: this.closed.buffer },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: false,
      stderr: false,
    })
    worker.unref() // never what keeps a process alive
    worker.on("message", (reply: CheckpointPass | { error: string }) => {
      if ("error" in reply) this.settle(new Error(`checkpoint failed: ${reply.error}`))
      else this.settle(undefined, reply)
      this.idleTimer = setTimeout(() => this.stop(), this.options.idleExitMs ?? IDLE_EXIT_MS).unref()
    })
    worker.on("error", (error) => {
      if (this.worker === worker) this.worker = undefined
      this.settle(error)
    })
    worker.on("exit", (code) => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.settle(new Error(`the checkpoint thread exited (${code})`))
    })
    this.worker = worker
    return worker
  }

  private settle(error: Error | undefined, pass?: CheckpointPass): void {
    const waiting = this.waiting
    this.waiting = undefined
    if (waiting === undefined) return
    if (error !== undefined) waiting.reject(error)
    else waiting.resolve(pass!)
  }
}
