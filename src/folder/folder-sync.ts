import type { FSWatcher } from "chokidar"
import { existsSync } from "node:fs"
import { mkdir, readdir, stat } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { InvalidParamsError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { DEVICE_ID_PATTERN, type LogEntry } from "../store/log-entry.js"
import type { FolderStore } from "./folder-store.js"
import { deviceIdOfFileName } from "./lvlog-format.js"
import { OwnLogWriter } from "./own-log-writer.js"
import { PeerLogIngester } from "./peer-log-ingester.js"

/**
 * How often the whole folder is checked even without watcher events: brings a
 * folder back after it disappeared (USB unplugged) and catches events a network
 * share never delivered.
 */
const DEFAULT_RESCAN_INTERVAL_MS = 30_000
/**
 * chokidar drops a file's change events for 50 ms after one it emitted (and
 * fs.watch ones for 5 ms), with no trailing event: a file is looked at again this
 * long after its last event, so a write right after another is not missed.
 */
const TRAILING_CHECK_MS = 60
const FOLDER_SUBDIR = "lanvault"
const ACCOUNT_TAG_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/

/** What a {@link FolderSync} needs from the daemon. */
export interface FolderSyncDeps {
  store: FolderStore
  logger: Logger
  /** The account id (raw bytes), bound into every entry's signature. */
  accountId: Uint8Array
  /** This device: the only log it writes to the folder. */
  deviceId: string
  /** Called with entries newly stored from the folder (never with this device's own writes). */
  onEntries: (entries: LogEntry[]) => void
}

/** Which folder, and how to watch it. */
export interface FolderSyncOptions {
  /** The folder the person chose (a USB stick, a NAS share, a Dropbox folder). */
  path: string
  /** Names this account's subfolder: `PATH/lanvault/<accountTag>/` (no slashes). */
  accountTag: string
  /** When set, chokidar polls every this many ms instead of using native events (network shares). */
  pollIntervalMs?: number
  /** Full check of the folder every this many ms; default 30 s. */
  rescanIntervalMs?: number
}

/** What `lanvault folder list` shows. */
export interface FolderStatus {
  path: string
  /** ms since the epoch of the last pass that read and wrote the folder without trouble. */
  lastSyncAt?: number
  /** The folder is unreachable, or files in it are refused: what and why. */
  error?: string
  /** Device log files present in the folder, this device's included. */
  devices: number
}

/**
 * Syncs the vault through a folder (DESIGN §9): writes this device's own log to
 * `PATH/lanvault/<accountTag>/<deviceId>.lvlog` and ingests the other devices'
 * files as they appear and grow, watched with chokidar. The files hold only
 * encrypted, signed entries, so the folder may live on untrusted storage. All
 * folder work runs one task at a time; nothing here throws into the daemon.
 */
export class FolderSync {
  private readonly dir: string
  private readonly path: string
  private readonly writer: OwnLogWriter
  private readonly ingester: PeerLogIngester
  private readonly rescanIntervalMs: number
  private readonly logger: Logger
  private running = false
  private starting: Promise<void> | undefined
  private watcher: FSWatcher | undefined
  private watchedIno: number | undefined
  private timer: NodeJS.Timeout | undefined
  private queue: Promise<void> = Promise.resolve()
  private rescanQueued = false
  private readonly queuedFiles = new Set<string>()
  private readonly trailing = new Map<string, NodeJS.Timeout>()
  private readonly present = new Set<string>()
  private folderError: string | undefined
  private lastSyncAt: number | undefined

  constructor(private readonly deps: FolderSyncDeps, private readonly options: FolderSyncOptions) {
    if (typeof options.path !== "string" || options.path === "") throw new InvalidParamsError("a sync folder needs a path")
    if (!ACCOUNT_TAG_PATTERN.test(options.accountTag)) throw new InvalidParamsError("the account tag must be a plain folder name")
    if (!DEVICE_ID_PATTERN.test(deps.deviceId)) throw new InvalidParamsError("device id must be 32 lower-case hex characters")
    this.path = resolve(options.path)
    this.dir = join(this.path, FOLDER_SUBDIR, options.accountTag)
    this.rescanIntervalMs = options.rescanIntervalMs ?? DEFAULT_RESCAN_INTERVAL_MS
    const { store, accountId } = deps
    const logger = (this.logger = deps.logger.child({ folder: this.path }))
    const onEntries = (entries: LogEntry[]) => this.deliver(entries)
    this.writer = new OwnLogWriter({ store, logger, accountId, deviceId: deps.deviceId, onEntries }, { dir: this.dir })
    this.ingester = new PeerLogIngester({ store, logger, accountId, onEntries }, { dir: this.dir, selfDeviceId: deps.deviceId })
  }

  /**
   * Writes this device's log, reads the others' and starts watching; resolves
   * after that first pass. An unreachable folder is not an error here: it shows
   * in {@link status} and is retried every rescan interval. Idempotent.
   */
  start(): Promise<void> {
    if (this.running) return this.starting ?? Promise.resolve()
    this.running = true
    this.rescanQueued = false
    this.queuedFiles.clear()
    this.timer = setInterval(() => this.requestRescan(), this.rescanIntervalMs)
    this.timer.unref()
    this.starting = this.requestRescan()
    return this.starting
  }

  /** Stops watching and waits for the task at hand to finish. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    clearInterval(this.timer)
    this.timer = undefined
    for (const timer of this.trailing.values()) clearTimeout(timer)
    this.trailing.clear()
    await this.queue
    await this.closeWatcher()
  }

  /** Appends this device's new entries (already in the store) to its file; other devices' entries are ignored. */
  publishLocal(entries: LogEntry[]): void {
    if (!this.running || !entries.some((entry) => entry.deviceId === this.deps.deviceId)) return
    void this.enqueue(() => this.writer.sync())
  }

  /**
   * Checks the whole folder again soon (resolves when done): e.g. after the trust
   * list changed, so a new device's file is read without waiting for the next rescan.
   */
  refresh(): Promise<void> {
    return this.running ? this.requestRescan() : Promise.resolve()
  }

  status(): FolderStatus {
    const fileErrors = this.ingester.errors()
    const error = this.folderError ?? (fileErrors.length > 0 ? fileErrors.join("; ") : undefined)
    const status: FolderStatus = { path: this.path, devices: this.present.size }
    if (this.lastSyncAt !== undefined) status.lastSyncAt = this.lastSyncAt
    if (error !== undefined) status.error = error
    return status
  }

  /** Runs `task` after those before it; a failure marks the folder unreachable and is logged, never thrown. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.running) return
      try {
        await task()
        this.lastSyncAt = Date.now()
      } catch (error) {
        this.unavailable(error)
      }
    })
    this.queue = run
    return run
  }

  private requestRescan(): Promise<void> {
    if (this.rescanQueued) return this.queue
    this.rescanQueued = true
    return this.enqueue(() => {
      this.rescanQueued = false
      return this.rescan()
    })
  }

  private requestFile(name: string): void {
    if (this.queuedFiles.has(name)) return
    this.queuedFiles.add(name)
    void this.enqueue(() => {
      this.queuedFiles.delete(name)
      return name === basename(this.writer.path) ? this.writer.sync() : this.ingester.ingest(name)
    })
  }

  /** The full pass: folder reachable? our file right? every other file read; watcher on. */
  private async rescan(): Promise<void> {
    const root = await stat(this.path).catch(() => undefined)
    if (root === undefined || !root.isDirectory()) {
      // Never create the chosen folder itself: it may be the mount point of an unplugged disk.
      throw new Error(unreachable(this.path))
    }
    await mkdir(this.dir, { recursive: true })
    if (this.folderError !== undefined) {
      this.logger.info("the sync folder is reachable again")
      this.folderError = undefined
      this.writer.forget()
    }
    await this.writer.sync()
    await this.ensureWatcher()
    const names = new Set((await readdir(this.dir)).filter((name) => deviceIdOfFileName(name) !== undefined))
    this.present.clear()
    for (const name of names) this.present.add(name)
    this.ingester.keepOnly(names)
    for (const name of names) await this.ingester.ingest(name)
  }

  /** Watches the account's subfolder; a subfolder that was deleted and made anew gets a new watcher. */
  private async ensureWatcher(): Promise<void> {
    const { ino } = await stat(this.dir)
    if (this.watcher !== undefined && this.watchedIno === ino) return
    await this.closeWatcher()
    const poll = this.options.pollIntervalMs
    // chokidar loads with the first folder watched: most daemons have none, and a start is on a new device's way to its records.
    const { watch } = await import("chokidar")
    const watcher = watch(this.dir, {
      depth: 0,
      ignoreInitial: true,
      awaitWriteFinish: false,
      usePolling: poll !== undefined,
      ...(poll !== undefined ? { interval: poll, binaryInterval: poll } : {}),
    })
    this.watcher = watcher
    this.watchedIno = ino
    watcher.on("add", (path) => this.onFileEvent("add", path))
    watcher.on("change", (path) => this.onFileEvent("change", path))
    watcher.on("unlink", (path) => this.onFileEvent("unlink", path))
    watcher.on("unlinkDir", () => void this.requestRescan())
    watcher.on("error", (error) => {
      this.logger.warn("the sync folder watcher failed; checking the folder", errorFields(error))
      void this.requestRescan()
    })
    await new Promise<void>((ready) => watcher.once("ready", ready))
  }

  private onFileEvent(kind: "add" | "change" | "unlink", path: string): void {
    const name = basename(path)
    if (!this.running || dirname(resolve(path)) !== this.dir || deviceIdOfFileName(name) === undefined) return
    if (kind === "unlink") {
      this.present.delete(name)
      if (name !== basename(this.writer.path)) {
        this.ingester.forget(name)
        return
      }
    } else {
      this.present.add(name)
      clearTimeout(this.trailing.get(name))
      const timer = setTimeout(() => {
        this.trailing.delete(name)
        if (this.running) this.requestFile(name)
      }, TRAILING_CHECK_MS)
      timer.unref()
      this.trailing.set(name, timer)
    }
    this.requestFile(name)
  }

  private async closeWatcher(): Promise<void> {
    const watcher = this.watcher
    this.watcher = undefined
    this.watchedIno = undefined
    await watcher?.close().catch(() => undefined)
  }

  private unavailable(error: unknown): void {
    // A write that failed because the whole folder went away says so, not ENOENT of some file.
    const message = !existsSync(this.path) ? unreachable(this.path)
      : error instanceof Error ? error.message : String(error)
    if (this.folderError !== message) {
      this.logger.warn("the sync folder cannot be used now; retrying", errorFields(error))
    }
    this.folderError = message
    this.present.clear()
    void this.closeWatcher()
  }

  private deliver(entries: LogEntry[]): void {
    try {
      this.deps.onEntries(entries)
    } catch (error) {
      this.logger.error("a handler of folder entries failed", errorFields(error))
    }
  }
}

function unreachable(path: string): string {
  return `the sync folder ${path} is not reachable (unplugged or unmounted?); it is retried`
}
