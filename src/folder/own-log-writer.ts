import { randomBytes } from "node:crypto"
import { open, readFile, rename, rm, stat, type FileHandle } from "node:fs/promises"
import { join } from "node:path"
import type { Logger } from "../log.js"
import { errorFields } from "../log.js"
import { sameEntry, verifyEntry, type LogEntry } from "../store/log-entry.js"
import type { FolderStore } from "./folder-store.js"
import { LVLOG_MAGIC, checkRun, encodeEntries, logFileName, parseLogChunk } from "./lvlog-format.js"
import { syncDirectory } from "../durable-file.js"

/** Entries read from the store (and encoded) at a time, to bound memory on large logs. */
const PAGE_ENTRIES = 1_000

/** What {@link OwnLogWriter} needs. */
export interface OwnLogWriterDeps {
  store: FolderStore
  logger: Logger
  accountId: Uint8Array
  deviceId: string
  /** Called with own entries recovered from the file that the store had lost. */
  onEntries: (entries: LogEntry[]) => void
}

/** What this writer last left in the file: if the file still looks like this, appending is safe. */
interface Written {
  seq: number
  size: number
  ino: number
}

/**
 * Keeps this device's `.lvlog` file in a sync folder equal to its own log in the
 * store: appends what is missing (fsync'd), and rewrites the whole file through a
 * temporary name and a rename when a sync tool deleted, truncated or mangled it,
 * so a reader never sees a torn prefix. The only writer of that file.
 */
export class OwnLogWriter {
  /** The file this device owns in the folder. */
  readonly path: string
  private readonly tempPath: string
  private written: Written | undefined

  constructor(private readonly deps: OwnLogWriterDeps, options: { dir: string }) {
    this.path = join(options.dir, logFileName(deps.deviceId))
    // A dot name that does not end in .lvlog: readers never pick it up.
    this.tempPath = join(options.dir, `.${logFileName(deps.deviceId)}.tmp-${randomBytes(8).toString("hex")}`)
  }

  /** Brings the file up to the store's head of this device; throws only I/O errors. */
  async sync(): Promise<void> {
    const stats = await statOrUndefined(this.path)
    const written = this.written
    if (stats === undefined) {
      if (written !== undefined) this.deps.logger.warn("this device's log file vanished from the sync folder; rewriting it", { path: this.path })
      await this.rewrite()
      return
    }
    if (written === undefined || stats.ino !== written.ino || stats.size !== written.size) await this.reconcile()
    await this.appendMissing()
  }

  /** Forgets what was written: the next {@link sync} reads the file again (the folder came back). */
  forget(): void {
    this.written = undefined
  }

  /** Whether this writer has a file in the folder (as far as it knows). */
  get present(): boolean {
    return this.written !== undefined
  }

  /** Reads the file: a valid prefix of our log is kept (and grown), anything else is rewritten. */
  private async reconcile(): Promise<void> {
    const { ino, bytes } = await readWhole(this.path)
    const parsed = parseLogChunk(bytes, true)
    const problem = parsed.error?.message ??
      (parsed.incomplete ? "it ends inside an entry" : undefined) ??
      checkRun(parsed.entries, this.deps.deviceId, parsed.entries.length > 0 ? 0 : undefined).error?.message ??
      this.compareWithStore(parsed.entries)
    if (problem !== undefined) {
      this.deps.logger.warn("rewriting this device's log file in the sync folder", { path: this.path, reason: problem })
      await this.rewrite()
      return
    }
    this.written = { seq: parsed.entries.at(-1)?.seq ?? 0, size: bytes.length, ino }
  }

  /**
   * Checks the file's entries against the store's; entries beyond the store's
   * head (a store restored from an older backup) are verified and taken back, so
   * this device never reuses a seq its peers may already hold.
   */
  private compareWithStore(entries: LogEntry[]): string | undefined {
    const { store, deviceId } = this.deps
    const head = store.head(deviceId)
    for (let seq = 0; seq < Math.min(head, entries.length); seq += PAGE_ENTRIES) {
      const held = store.entriesOf(deviceId, seq, PAGE_ENTRIES)
      for (let i = 0; i < held.length && seq + i < entries.length; i++) {
        if (!sameEntry(held[i], entries[seq + i])) return `seq ${seq + i + 1} differs from this device's log`
      }
    }
    return entries.length > head ? this.recover(entries.slice(head)) : undefined
  }

  private recover(extra: LogEntry[]): string | undefined {
    const { store, logger, accountId, deviceId } = this.deps
    const trust = store.getTrust(deviceId)
    if (trust === undefined) return "it holds entries this vault lacks, and this device is not in the trust list to check them"
    try {
      for (const entry of extra) verifyEntry(entry, accountId, trust.signPublic)
      const { inserted } = store.insertEntries(extra)
      logger.warn("took back this device's own entries from the sync folder (the vault had lost them)", { count: inserted.length })
      if (inserted.length > 0) this.deps.onEntries(inserted)
      return undefined
    } catch (error) {
      logger.warn("this device's log file holds entries that cannot be taken back", { path: this.path, ...errorFields(error) })
      return "it holds entries this vault lacks and cannot use"
    }
  }

  /** Writes the whole log to a temporary file, fsyncs it and renames it over the old one. */
  private async rewrite(): Promise<void> {
    const { store, deviceId } = this.deps
    const file = await open(this.tempPath, "wx")
    let seq = 0
    try {
      await writeAll(file, LVLOG_MAGIC, 0)
      let size = LVLOG_MAGIC.length
      for (let page = store.entriesOf(deviceId, 0, PAGE_ENTRIES); page.length > 0; page = store.entriesOf(deviceId, seq, PAGE_ENTRIES)) {
        const bytes = encodeEntries(page)
        await writeAll(file, bytes, size)
        size += bytes.length
        seq = page[page.length - 1].seq
      }
      await file.sync()
      const stats = await file.stat()
      await file.close()
      await rename(this.tempPath, this.path)
      this.written = { seq, size: stats.size, ino: stats.ino }
    } catch (error) {
      await file.close().catch(() => undefined)
      await rm(this.tempPath, { force: true }).catch(() => undefined)
      throw error
    }
    await syncDirectory(join(this.path, ".."))
  }

  /** Appends the store's entries after the last one written, at the size last written (never creates the file). */
  private async appendMissing(): Promise<void> {
    const { store, deviceId } = this.deps
    const written = this.written
    if (written === undefined || store.head(deviceId) <= written.seq) return
    const file = await open(this.path, "r+")
    try {
      const stats = await file.stat()
      // Replaced between our check and now: leave it to the next sync's reconcile.
      if (stats.ino !== written.ino || stats.size !== written.size) {
        this.written = undefined
        return
      }
      for (let page = store.entriesOf(deviceId, written.seq, PAGE_ENTRIES); page.length > 0;
        page = store.entriesOf(deviceId, written.seq, PAGE_ENTRIES)) {
        const bytes = encodeEntries(page)
        await writeAll(file, bytes, written.size)
        written.size += bytes.length
        written.seq = page[page.length - 1].seq
      }
      await file.sync()
    } catch (error) {
      this.written = undefined
      throw error
    } finally {
      await file.close()
    }
  }
}

async function statOrUndefined(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    return await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

async function readWhole(path: string): Promise<{ ino: number; bytes: Uint8Array }> {
  const file = await open(path, "r")
  try {
    const { ino } = await file.stat()
    return { ino, bytes: new Uint8Array(await readFile(file)) }
  } finally {
    await file.close()
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done)
    done += bytesWritten
  }
}
