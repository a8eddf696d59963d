import Database from "better-sqlite3"
import { corruptFileError, mapSqliteError, prepareFile, restrictMode } from "./sqlite-file.js"
import { checkApplication, migrate } from "./sqlite-schema.js"

/** How long a write waits for another connection's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000
/**
 * SQLite's page cache per connection, in KiB (a negative cache_size). better-sqlite3
 * builds SQLite with 16 MiB, which the start-up quick_check of a 10k-record vault
 * fills and a locked daemon then holds all day; the OS caches the file anyway.
 */
const PAGE_CACHE_KIB = 2_048
/**
 * The page cache while quick_check reads every page once (KiB): a check needs no
 * more, and filling the whole cache at start left ≈ 1.5 MiB in malloc's heap that
 * a locked daemon held all day (RSS, 10k records on disk: 62.4 -> 60.9 MiB).
 */
const QUICK_CHECK_CACHE_KIB = 256
/** quick_check lines quoted in an error message. */
const QUICK_CHECK_LINES_SHOWN = 3

/** How to open a vault database. */
export interface SqliteStoreOptions {
  /** Open without writing anything (the file must exist and be up to date). */
  readonly?: boolean
  /** Cap on the database size in bytes (constrained devices, tests); writes beyond it fail with STORAGE_FULL. */
  maxBytes?: number
}

/**
 * Opens `path` as a vault connection: creates it 0600 if missing, checks its
 * header, integrity and owner before writing anything, then switches to WAL with
 * synchronous=FULL, migrates the schema and chmods the WAL siblings. A damaged or
 * foreign file throws CorruptDataError and is left byte-for-byte unchanged.
 */
export function openConnection(path: string, options: SqliteStoreOptions): Database.Database {
  const readonly = options.readonly ?? false
  prepareFile(path, readonly)
  let db: Database.Database
  try {
    db = new Database(path, { readonly, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
  } catch (error) {
    throw mapSqliteError(error, path)
  }
  try {
    db.pragma(`cache_size = -${QUICK_CHECK_CACHE_KIB}`)
    // Read-only checks first: nothing is written before the file is known to be ours and whole.
    quickCheck(db, path)
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`)
    checkApplication(db, path)
    if (!readonly) configure(db, path)
    migrate(db, path, readonly)
    if (!readonly) restrictMode(path)
    if (options.maxBytes !== undefined) limitSize(db, options.maxBytes)
    return db
  } catch (error) {
    db.close()
    throw mapSqliteError(error, path)
  }
}

/** PRAGMA quick_check: one read of every page (no index cross-checks, so far cheaper than integrity_check); refuses any damage. */
function quickCheck(db: Database.Database, path: string): void {
  const lines = db.pragma("quick_check") as Array<{ quick_check: string }>
  if (lines.length === 1 && lines[0].quick_check === "ok") return
  const shown = lines.slice(0, QUICK_CHECK_LINES_SHOWN).map((l) => l.quick_check).join("; ")
  throw corruptFileError(path, `integrity check failed: ${shown}`)
}

function configure(db: Database.Database, path: string): void {
  const mode = db.pragma("journal_mode = WAL", { simple: true })
  if (mode !== "wal") throw new Error(`${path}: could not switch to WAL journaling (got ${String(mode)})`)
  db.pragma("synchronous = FULL")
  db.pragma("foreign_keys = ON")
  // Deleted rows (an old keyset, a wiped account) are overwritten with zeros, not left in free pages.
  db.pragma("secure_delete = ON")
}

/**
 * Runs `fn` (one write transaction) with synchronous=NORMAL, then restores FULL: in
 * WAL mode its commit reaches the OS but not necessarily the disk (see
 * InsertOptions.waitForDisk for when that is allowed). Inside an open transaction
 * (SQLite refuses the switch there) the outer commit decides, as it would anyway.
 */
export function withoutDiskWait<T>(db: Database.Database, fn: () => T): T {
  if (db.inTransaction) return fn()
  db.pragma("synchronous = NORMAL")
  try {
    return fn()
  } finally {
    db.pragma("synchronous = FULL")
  }
}

function limitSize(db: Database.Database, maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TypeError("maxBytes must be a positive integer")
  const pageSize = db.pragma("page_size", { simple: true }) as number
  db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`)
}

