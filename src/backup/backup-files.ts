import { randomBytes } from "node:crypto"
import { chmod, mkdir, open, rename, rm, stat, type FileHandle } from "node:fs/promises"
import { join } from "node:path"
import { BACKUP_MAGIC, MAX_HEADER_BYTES, parseBackupHeader, type BackupHeader } from "./backup-format.js"
import { syncDirectory } from "../durable-file.js"

/** Bytes read at a time while looking for a header's end. */
const HEADER_READ_BYTES = 64 * 1024
const DIR_MODE = 0o700
const FILE_MODE = 0o600
const NEWLINE = 0x0a

/**
 * Writes a backup's bytes durably: a temporary file (0600) in `dir` (created
 * 0700), fsync, then a rename to `<prefix>-<ISO time>.lvbackup` (suffixed if the
 * name is taken), so a crash never leaves a half backup under a backup's name.
 * Returns the path. Only `lanvault-` files are listed and pruned.
 */
export async function writeBackupFile(dir: string, createdAt: number, chunks: readonly Uint8Array[], prefix = "lanvault"): Promise<string> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE })
  const path = await freeName(dir, createdAt, prefix)
  // A random name created exclusively: nobody can plant the temp file (or a link in its place) beforehand.
  const temp = join(dir, `.lanvault-backup.tmp-${randomBytes(8).toString("hex")}`)
  const file = await open(temp, "wx", FILE_MODE)
  try {
    await file.chmod(FILE_MODE)
    for (const chunk of chunks) await writeAll(file, chunk)
    await file.sync()
    await file.close()
    await rename(temp, path)
  } catch (error) {
    await file.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw error
  }
  await chmod(path, FILE_MODE)
  await syncDirectory(dir)
  return path
}

/** A backup file's header and size, reading only up to the end of the header line. */
export async function readBackupHeaderFile(path: string): Promise<{ header: BackupHeader; bytes: number }> {
  const file = await open(path, "r")
  try {
    const { size } = await file.stat()
    const { header } = parseBackupHeader(await readHeaderBytes(file, size))
    return { header, bytes: size }
  } finally {
    await file.close()
  }
}

/** `<prefix>-<ISO time>.lvbackup` (colons made dashes, for every file system), suffixed if taken. */
async function freeName(dir: string, createdAt: number, prefix: string): Promise<string> {
  const base = `${prefix}-${new Date(createdAt).toISOString().replaceAll(":", "-")}`
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? `${base}.lvbackup` : `${base}-${n}.lvbackup`)
    if (!(await exists(path))) return path
  }
}

/** The file's first bytes, up to the end of its header line (or MAX_HEADER_BYTES). */
async function readHeaderBytes(file: FileHandle, size: number): Promise<Uint8Array> {
  const limit = Math.min(size, MAX_HEADER_BYTES)
  const buffer = new Uint8Array(limit)
  let read = 0
  while (read < limit) {
    const { bytesRead } = await file.read(buffer, read, Math.min(HEADER_READ_BYTES, limit - read), read)
    if (bytesRead === 0) break
    read += bytesRead
    if (read > BACKUP_MAGIC.length && buffer.subarray(BACKUP_MAGIC.length, read).includes(NEWLINE)) break
  }
  return buffer.subarray(0, read)
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done)
    done += bytesWritten
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
