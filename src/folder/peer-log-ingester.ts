import { open, type FileHandle } from "node:fs/promises"
import { join } from "node:path"
import { CorruptDataError, LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { verifyEntry, type LogEntry } from "../store/log-entry.js"
import type { FolderStore } from "./folder-store.js"
import { LVLOG_MAGIC, checkRun, deviceIdOfFileName, parseLogChunk, type ParsedChunk } from "./lvlog-format.js"

/** Bytes read from a file at a time (a larger single entry is read whole). */
const MAX_READ_BYTES = 16 * 1024 * 1024

/** What {@link PeerLogIngester} needs. */
export interface PeerLogIngesterDeps {
  store: FolderStore
  logger: Logger
  accountId: Uint8Array
  /** Called with entries newly stored. */
  onEntries: (entries: LogEntry[]) => void
}

/** How far one device's file has been read, and what the file looked like then. */
interface FileState {
  ino: number
  size: number
  mtimeMs: number
  /** Bytes read and stored (magic and complete entries). */
  offset: number
  /** Seq of the last entry before `offset`. */
  lastSeq?: number
  /** Why the rest of the file is refused; cleared when the file changes. */
  error?: string
  /** Waiting for a gap to close: the device's head when the entries could not follow it. */
  gapAtHead?: number
}

/**
 * Reads other devices' `.lvlog` files of one sync folder incrementally: per file
 * it remembers the offset read and the file's inode, size and mtime, so growth is
 * read from where it stopped and a replaced or shrunk file from the start. Every
 * entry is verified against the trust list before a batch goes to the store; a
 * corrupt file is reported by {@link errors} and never harms the vault.
 */
export class PeerLogIngester {
  private readonly files = new Map<string, FileState>()
  /** File name → why it was last refused (warned once per reason). */
  private readonly refused = new Map<string, string>()

  constructor(
    private readonly deps: PeerLogIngesterDeps,
    private readonly options: { dir: string; selfDeviceId: string; /** default 16 MiB */ maxReadBytes?: number },
  ) {}

  /**
   * Stores what is new in the file `name` of the folder. Bad content is recorded
   * (see {@link errors}), not thrown; only I/O errors other than a vanished file throw.
   */
  async ingest(name: string): Promise<void> {
    const deviceId = deviceIdOfFileName(name)
    if (deviceId === undefined || deviceId === this.options.selfDeviceId) return
    const trust = this.deps.store.getTrust(deviceId)
    if (trust === undefined) return this.refuse(name, "a device not in the trust list")
    // A revoked device can still write to the folder, but it is cut off as its links are (DESIGN §6).
    if (trust.revokedAt !== undefined) return this.refuse(name, "a revoked device")
    this.refused.delete(name)
    let file: FileHandle
    try {
      file = await open(join(this.options.dir, name), "r")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return this.forget(name)
      throw error
    }
    try {
      const state = await this.stateFor(name, deviceId, file)
      if (state !== undefined) await this.readFrom(file, state, deviceId, trust.signPublic)
    } finally {
      await file.close()
    }
  }

  private refuse(name: string, whose: string): void {
    if (this.refused.get(name) === whose) return
    this.refused.set(name, whose)
    this.deps.logger.warn(`ignoring a sync-folder log file of ${whose}`, { file: name })
  }

  /** Forgets a file (it was deleted): if it comes back, it is read from the start. */
  forget(name: string): void {
    this.files.delete(name)
  }

  /** Forgets every file not in `names` (a fresh directory listing). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.files.keys()) if (!names.has(name)) this.files.delete(name)
  }

  /** Why files are refused, one line each (empty when all is well). */
  errors(): string[] {
    return [...this.files].filter(([, state]) => state.error !== undefined).map(([name, state]) => `${name}: ${state.error}`)
  }

  /** The state to read on from, or undefined if the file has not changed since it was last read. */
  private async stateFor(name: string, deviceId: string, file: FileHandle): Promise<FileState | undefined> {
    const stats = await file.stat()
    const known = this.files.get(name)
    const replaced = known === undefined || stats.ino !== known.ino || stats.size < known.size ||
      (stats.size === known.size && stats.mtimeMs !== known.mtimeMs)
    if (!replaced && stats.size === known.size) {
      const gapMoved = known.gapAtHead !== undefined && this.deps.store.head(deviceId) !== known.gapAtHead
      if (!gapMoved) return undefined
    }
    const state: FileState = replaced ? { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, offset: 0 } : known
    state.size = stats.size
    state.mtimeMs = stats.mtimeMs
    state.error = undefined
    state.gapAtHead = undefined
    this.files.set(name, state)
    return state
  }

  private async readFrom(file: FileHandle, state: FileState, deviceId: string, signPublic: Uint8Array): Promise<void> {
    const inserted: LogEntry[] = []
    const maxRead = this.options.maxReadBytes ?? MAX_READ_BYTES
    let cap = maxRead
    try {
      while (state.offset < state.size) {
        const chunk = await readAt(file, state.offset, Math.min(state.size - state.offset, cap))
        if (chunk.length === 0) break
        const atFileStart = state.offset === 0
        const parsed = parseLogChunk(chunk, atFileStart)
        if (!this.take(parsed, atFileStart, state, deviceId, signPublic, inserted)) break
        if (parsed.incomplete) {
          // The file ends inside an entry: wait for the writer. A chunk cut short by the cap: read on, whole.
          if (state.offset + (chunk.length - parsed.consumed) >= state.size) break
          cap = Number.POSITIVE_INFINITY
        } else {
          cap = maxRead
        }
      }
    } finally {
      // What was stored is announced even if a later chunk failed.
      if (inserted.length > 0) this.deps.onEntries(inserted)
    }
  }

  /**
   * Verifies and stores the entries of one parsed chunk, moves the offset past
   * what was stored, and says whether reading may go on.
   */
  private take(parsed: ParsedChunk, atFileStart: boolean, state: FileState, deviceId: string,
    signPublic: Uint8Array, inserted: LogEntry[]): boolean {
    const { entries, ends } = parsed
    const run = checkRun(entries, deviceId, state.lastSeq)
    let valid = run.valid
    let error: LanvaultError | undefined = parsed.error ?? run.error
    for (let i = 0; i < valid; i++) {
      try {
        verifyEntry(entries[i], this.deps.accountId, signPublic)
      } catch (cause) {
        error = cause instanceof LanvaultError ? cause : new CorruptDataError("malformed log entry", { cause })
        valid = i
      }
    }
    if (valid < entries.length && error === undefined) error = new CorruptDataError("malformed log entry")
    const head = this.deps.store.head(deviceId)
    if (valid > 0 && entries[0].seq > head + 1) {
      // A gap (this vault holds the device up to `head`): retried when the file or the head moves.
      state.gapAtHead = head
      this.deps.logger.debug("a sync-folder log file starts beyond what this vault holds; waiting", { file: `${deviceId}.lvlog`, head, seq: entries[0].seq })
      return false
    }
    if (valid > 0) {
      try {
        inserted.push(...this.deps.store.insertEntries(entries.slice(0, valid)).inserted)
      } catch (cause) {
        if (!(cause instanceof LanvaultError) || cause.code !== "CORRUPT_DATA") throw cause
        error = cause
        valid = 0
      }
    }
    const headerBytes = atFileStart && parsed.consumed >= LVLOG_MAGIC.length ? LVLOG_MAGIC.length : 0
    state.offset += valid > 0 ? ends[valid - 1] : entries.length > 0 || error !== undefined ? headerBytes : parsed.consumed
    if (valid > 0) state.lastSeq = entries[valid - 1].seq
    if (error !== undefined) {
      state.error = error.message
      this.deps.logger.warn("a sync-folder log file is corrupt; the rest of it was ignored",
        { file: `${deviceId}.lvlog`, offset: state.offset, ...errorFields(error) })
      return false
    }
    return true
  }
}

/** Reads up to `length` bytes at `position` (fewer if the file is shorter now). */
async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return buffer.subarray(0, done)
}
