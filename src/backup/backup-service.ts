import { readdir, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { errorFields, type Logger } from "../log.js"
import { parseBackup, type Backup } from "./backup-format.js"
import { readBackupHeaderFile, writeBackupFile } from "./backup-files.js"
import { gatherBackup } from "./backup-gather.js"
import { restoreBackup, type RestoreArgs, type RestoreResult } from "./backup-restore.js"
import type { BackupStore } from "./ports.js"

const DEFAULT_KEEP = 10
const DEFAULT_EVERY_CHANGES = 5
const DEFAULT_EVERY_MS = 24 * 60 * 60 * 1000
/** How often the timer asks whether a time-based backup is due (at most everyMs). */
const MAX_TICK_INTERVAL_MS = 15 * 60 * 1000
const NAME_PATTERN = /^lanvault-[0-9TZ.-]+\.lvbackup$/
/** A change-triggered backup waits for a quiet moment (BackupServiceOptions.quietMs) at most this long after it was due. */
const MAX_QUIET_WAIT_MS = 10 * 60 * 1000

/** What {@link BackupService} needs. */
export interface BackupServiceDeps {
  store: BackupStore
  /** The account this home holds (hex), read once by the caller (it survives a reset): backups name it, a restore refuses another's. */
  accountId: string
  logger: Logger
  /** The lanvault home; backups go to `<home>/backups` unless `dir` says otherwise. */
  home: string
}

/** Where backups go, how many are kept, and when automatic ones are made. */
export interface BackupServiceOptions {
  /** Where backups are kept; default `<home>/backups` (created 0700). */
  dir?: string
  /** Backups kept; older ones are deleted. Default 10. */
  keep?: number
  /** A backup after this many own changes. Default 5. */
  everyChanges?: number
  /** A backup when the newest is older than this and the vault changed since. Default 24 h. */
  everyMs?: number
  /** Clock (ms since the epoch), for tests. */
  now?: () => number
  /**
   * Least time between two change-triggered backups (default 0): a burst of edits
   * in a large vault then costs one backup, written once the interval has passed.
   */
  minIntervalMs?: number
  /**
   * Share of the time change-triggered backups may take (e.g. 0.02): the next waits at least the last one's
   * duration ÷ this share. A backup copies the whole log, so in a big vault a burst of edits would otherwise
   * spend more and more of its time on backups. Default: no such limit.
   */
  busyShare?: number
  /** A due change-triggered backup (it copies the whole log) waits this long without activity (noteActivity), at most MAX_QUIET_WAIT_MS; default 0. */
  quietMs?: number
}

/** One backup file, as `lanvault backup list` shows it. */
export interface BackupInfo {
  path: string
  /** ms since the epoch. */
  createdAt: number
  entries: number
  /** File size. */
  bytes: number
  generation: number
  keysetVersion: number
  /** A vault kept from before a reset (`join`): restore brings its records in. */
  former?: boolean
}

/**
 * Writes encrypted backups of the vault (everything needed to restore it, nothing
 * readable: see backup-format.ts), automatically after every few own changes and
 * daily, keeps the newest few, lists them and restores one. Automatic backups
 * never throw into the daemon: failures are logged.
 */
export class BackupService {
  readonly dir: string
  private readonly keep: number
  private readonly everyChanges: number
  private readonly everyMs: number
  private readonly now: () => number
  private timer: NodeJS.Timeout | undefined
  private changesSince = 0
  private newest: BackupInfo | undefined
  private newestKnown = false
  private writing: Promise<BackupInfo> | undefined
  private chain: Promise<unknown> = Promise.resolve()
  private ticking: Promise<unknown> | undefined
  private readonly minIntervalMs: number
  private readonly busyShare: number | undefined
  /** How long the last backup this process wrote took (ms). */
  private lastWriteMs = 0
  private deferred: NodeJS.Timeout | undefined
  private readonly quietMs: number
  private lastActivityAt = Number.NEGATIVE_INFINITY
  private dueSince: number | undefined // when the backup waiting for a quiet moment became due

  constructor(private readonly deps: BackupServiceDeps, options: BackupServiceOptions = {}) {
    this.dir = options.dir ?? join(deps.home, "backups")
    this.keep = options.keep ?? DEFAULT_KEEP
    this.everyChanges = options.everyChanges ?? DEFAULT_EVERY_CHANGES
    this.everyMs = options.everyMs ?? DEFAULT_EVERY_MS
    this.now = options.now ?? Date.now
    this.minIntervalMs = options.minIntervalMs ?? 0
    this.busyShare = options.busyShare
    this.quietMs = options.quietMs ?? 0
    if (this.busyShare !== undefined && !(this.busyShare > 0 && this.busyShare <= 1)) throw new TypeError("busyShare must be above 0 and at most 1")
    if (!Number.isSafeInteger(this.keep) || this.keep < 1) throw new TypeError("keep must be a positive integer")
    if (!Number.isSafeInteger(this.everyChanges) || this.everyChanges < 1) throw new TypeError("everyChanges must be a positive integer")
    if (!(this.everyMs > 0)) throw new TypeError("everyMs must be positive")
  }

  /** Starts the timer of time-based backups (and checks once now). Idempotent. */
  start(): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => void this.scheduledTick(), Math.min(this.everyMs, MAX_TICK_INTERVAL_MS))
    this.timer.unref()
    void this.scheduledTick()
  }

  /** Stops the timer and waits for a backup being written. Idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    clearTimeout(this.deferred)
    this.timer = undefined
    this.deferred = undefined
    await this.ticking
    await this.chain.catch(() => undefined)
  }

  /**
   * Writes a backup now: gathered a page of entries per turn of the event loop
   * (gatherBackup: the daemon answers meanwhile) into a temporary file (0600),
   * fsync'd and renamed to `lanvault-<ISO time>.lvbackup`; then prunes to the
   * newest `keep`. NO_ACCOUNT if the store holds no account.
   */
  create(progress?: (done: number, total: number) => void): Promise<BackupInfo> {
    const run = this.chain.catch(() => undefined).then(() => this.write(progress))
    this.chain = run
    return run
  }

  /** This device's new entries are durable (the vault hands them to its sinks): they count towards the next backup. */
  publishLocal(entries: readonly unknown[]): void {
    void this.noteLocalChanges(entries.length)
  }

  /**
   * Counts own changes; after every `everyChanges` a backup is made. Resolves
   * with it (or undefined); never rejects.
   */
  noteLocalChanges(count: number): Promise<BackupInfo | undefined> {
    if (Number.isSafeInteger(count) && count > 0) this.changesSince += count
    if (this.changesSince < this.everyChanges) return Promise.resolve(undefined)
    const spacingMs = Math.max(this.minIntervalMs, this.busyShare === undefined ? 0 : this.lastWriteMs / this.busyShare)
    const spacingWait = this.newest ? this.newest.createdAt + spacingMs - this.now() : 0
    const wait = spacingWait > 0 ? spacingWait : this.quietWait()
    if (wait <= 0) return this.auto("changes")
    this.deferred ??= setTimeout(() => {
      this.deferred = undefined
      void this.noteLocalChanges(0) // due now, unless activity came meanwhile
    }, wait)
    this.deferred.unref()
    return Promise.resolve(undefined)
  }

  /** A request or an edit came now: a due change-triggered backup waits for the next quiet moment (see `quietMs`). */
  noteActivity(): void {
    this.lastActivityAt = this.now()
  }

  /** Makes a backup if none exists, or the newest is older than `everyMs` and the vault changed since. Never rejects. */
  async tick(): Promise<BackupInfo | undefined> {
    try {
      const newest = await this.newestBackup()
      if (newest !== undefined && (this.now() - newest.createdAt < this.everyMs || !this.changedSince(newest))) return undefined
    } catch (error) {
      this.deps.logger.warn("could not look at the existing backups", errorFields(error))
      return undefined
    }
    return this.auto("daily")
  }

  /** Backups in the directory, newest first (headers only); unreadable files are left out. */
  async list(): Promise<BackupInfo[]> {
    let names: string[]
    try {
      names = (await readdir(this.dir)).filter((name) => NAME_PATTERN.test(name))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
      throw error
    }
    const infos: BackupInfo[] = []
    for (const name of names) {
      const path = join(this.dir, name)
      try {
        infos.push(await BackupService.readInfo(path))
      } catch (error) {
        this.deps.logger.debug("skipping an unreadable backup file", { path, ...errorFields(error) })
      }
    }
    return infos.sort((a, b) => b.createdAt - a.createdAt || (a.path < b.path ? 1 : a.path > b.path ? -1 : 0))
  }

  /** Reads and checks a whole backup file; CorruptDataError with a clear message on anything malformed or truncated. */
  static async readBackup(path: string): Promise<Backup> {
    return parseBackup(new Uint8Array(await readFile(path)))
  }

  /** The header and size of a backup file, without reading its entries. */
  static async readInfo(path: string): Promise<BackupInfo> {
    const { header, bytes } = await readBackupHeaderFile(path)
    const info: BackupInfo = { path, createdAt: header.createdAt, entries: header.entryCount, bytes, generation: header.generation, keysetVersion: header.keysetVersion }
    if (header.former !== undefined) info.former = true
    return info
  }

  /**
   * Restores a backup (see {@link restoreBackup}): merges by default, replaces
   * with `replace`. Needs the password and account key in use when it was made.
   */
  async restore(path: string, args: RestoreArgs): Promise<RestoreResult> {
    const backup = await BackupService.readBackup(path)
    return restoreBackup({ store: this.deps.store, accountId: this.deps.accountId }, this.deps.logger, backup, args)
  }

  private scheduledTick(): Promise<unknown> {
    this.ticking ??= this.tick().finally(() => {
      this.ticking = undefined
    })
    return this.ticking
  }

  private auto(reason: "changes" | "daily"): Promise<BackupInfo | undefined> {
    this.writing ??= this.create().finally(() => {
      this.writing = undefined
    })
    return this.writing.then(
      (info) => {
        this.deps.logger.info("wrote an automatic backup", { reason, path: info.path, entries: info.entries })
        return info
      },
      (error: unknown) => {
        this.deps.logger.warn("an automatic backup failed", { reason, ...errorFields(error) })
        return undefined
      },
    )
  }

  /** How much longer a due change-triggered backup waits for `quietMs` without activity (0: write it now). */
  private quietWait(): number {
    const now = this.now()
    this.dueSince ??= now
    if (now - this.dueSince >= MAX_QUIET_WAIT_MS) return 0
    return Math.max(0, this.lastActivityAt + this.quietMs - now)
  }

  private async newestBackup(): Promise<BackupInfo | undefined> {
    if (!this.newestKnown) {
      this.newest = (await this.list())[0]
      this.newestKnown = true
    }
    return this.newest
  }

  private changedSince(newest: BackupInfo): boolean {
    const { store } = this.deps
    return this.changesSince > 0 || store.countEntries() !== newest.entries ||
      (store.getKeyset()?.version ?? 0) !== newest.keysetVersion
  }

  private async write(progress?: (done: number, total: number) => void): Promise<BackupInfo> {
    const counted = this.changesSince
    this.changesSince = 0
    this.dueSince = undefined
    try {
      const { header, chunks } = gatherBackup(this.deps.store, this.deps.accountId, this.now(), {}, progress)
      const { path, bytes } = await writeBackupFile(this.dir, header.createdAt, chunks)
      this.lastWriteMs = Math.max(0, this.now() - header.createdAt)
      const info: BackupInfo = {
        path, createdAt: header.createdAt, entries: header.entryCount, bytes, generation: header.generation, keysetVersion: header.keysetVersion,
      }
      this.newest = info
      this.newestKnown = true
      await this.prune()
      return info
    } catch (error) {
      this.changesSince += counted
      throw error
    }
  }

  private async prune(): Promise<void> {
    const backups = await this.list()
    for (const old of backups.slice(this.keep)) {
      await rm(old.path, { force: true })
      this.deps.logger.debug("deleted an old backup", { path: old.path })
    }
  }
}
