import { chmodSync, closeSync, openSync, readSync, statSync, type Stats } from "node:fs"
import { CorruptDataError, LanvaultError, NotFoundError } from "../errors.js"

/**
 * The file side of vault.db: create it private, look at its header before SQLite
 * does, keep it and its WAL siblings at mode 0600, and turn SQLite's failure
 * codes into lanvault errors that say what to do.
 */

/** Owner read/write only: the file holds device secret keys and the wrapped vault keys. */
export const FILE_MODE = 0o600
const SIBLING_SUFFIXES = ["-wal", "-shm", "-journal"] as const
const HEADER_BYTES = 100
const MAGIC = "SQLite format 3\0"
const PAGE_SIZE_OFFSET = 16
const CHANGE_COUNTER_OFFSET = 24
const PAGE_COUNT_OFFSET = 28
const VERSION_VALID_FOR_OFFSET = 92
const MIN_PAGE_SIZE = 512
const MAX_PAGE_SIZE = 65_536

/** The second half of every message about a damaged vault file. */
export function notChangedHint(): string {
  return "the file was not changed: restore it from a backup (`lanvault backup restore`) or move it away to start a new vault"
}

/** CorruptDataError naming the file, saying it was left alone and how to recover. */
export function corruptFileError(path: string, detail: string, cause?: unknown): CorruptDataError {
  return new CorruptDataError(`${path} is damaged or is not a lanvault database (${detail}); ${notChangedHint()}`, { cause })
}

/**
 * Makes sure `path` can be opened as a vault: creates it with mode 0600 if missing
 * (unless read-only, where a missing file is NotFoundError), else checks that its
 * header is SQLite's and that it is not shorter than the header says. Throws a
 * {@link corruptFileError} otherwise; never writes to an existing file.
 */
export function prepareFile(path: string, readonly: boolean): void {
  const stat = statOrUndefined(path)
  if (stat === undefined) {
    if (readonly) throw new NotFoundError(`vault database ${path}`)
    createPrivate(path)
    return
  }
  if (!stat.isFile()) throw corruptFileError(path, "not a regular file")
  if (stat.size === 0) return // nothing in it to lose: SQLite treats it as a new database
  checkHeader(path, stat.size)
}

function createPrivate(path: string): void {
  try {
    closeSync(openSync(path, "wx", FILE_MODE))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
  }
  chmodSync(path, FILE_MODE) // the umask may have taken bits away, never added: make it exact
}

function checkHeader(path: string, size: number): void {
  if (size < HEADER_BYTES) throw corruptFileError(path, `only ${size} bytes long`)
  const header = readHead(path)
  if (header.toString("latin1", 0, MAGIC.length) !== MAGIC) throw corruptFileError(path, "no SQLite header")
  const rawPageSize = header.readUInt16BE(PAGE_SIZE_OFFSET)
  const pageSize = rawPageSize === 1 ? MAX_PAGE_SIZE : rawPageSize
  if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
    throw corruptFileError(path, "impossible page size")
  }
  // With a WAL or journal beside it the main file may legitimately lag; SQLite and
  // quick_check judge that case. Without one, the file must hold every page.
  if (hasNonEmptySibling(path)) return
  if (size % pageSize !== 0) throw corruptFileError(path, "truncated: not a whole number of pages")
  const pages = header.readUInt32BE(PAGE_COUNT_OFFSET)
  const countValid = header.readUInt32BE(CHANGE_COUNTER_OFFSET) === header.readUInt32BE(VERSION_VALID_FOR_OFFSET)
  if (countValid && pages > 0 && size < pages * pageSize) {
    throw corruptFileError(path, `truncated: ${size} bytes of ${pages * pageSize}`)
  }
}

function readHead(path: string): Buffer {
  const header = Buffer.alloc(HEADER_BYTES)
  const fd = openSync(path, "r")
  try {
    readSync(fd, header, 0, HEADER_BYTES, 0)
  } finally {
    closeSync(fd)
  }
  return header
}

function hasNonEmptySibling(path: string): boolean {
  return SIBLING_SUFFIXES.some((suffix) => (statOrUndefined(path + suffix)?.size ?? 0) > 0)
}

/** chmod 0600 the database and whichever of its -wal/-shm/-journal siblings exist. */
export function restrictMode(path: string): void {
  for (const file of [path, ...SIBLING_SUFFIXES.map((s) => path + s)]) {
    try {
      chmodSync(file, FILE_MODE)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
    }
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/**
 * Maps an error SQLite raised to what a lanvault user can act on: a full disk or an
 * I/O failure → STORAGE_FULL (the transaction was rolled back, nothing half-written),
 * damage → CORRUPT_DATA, a write to a read-only open → NOT_ALLOWED. Others pass through.
 */
export function mapSqliteError(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error
  if (code === "SQLITE_FULL") {
    return new LanvaultError("STORAGE_FULL",
      `disk full: could not write to ${path}; nothing was saved. Free some space and try again`, { cause: error })
  }
  if (code.startsWith("SQLITE_IOERR")) {
    return new LanvaultError("STORAGE_FULL",
      `disk full or failing: ${path} could not be written or read (${code}); nothing was saved. ` +
      "Check free space and the disk, then try again", { cause: error })
  }
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return corruptFileError(path, code, error)
  if (code.startsWith("SQLITE_READONLY")) {
    return new LanvaultError("NOT_ALLOWED",
      `${path} is open read-only (or not writable): nothing was saved`, { cause: error })
  }
  return error
}
