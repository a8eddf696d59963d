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
/** Chunks are gathered up to this size before a write: a backup of 100k entries is ~100 writes, not 100k. */
const WRITE_BYTES = 1024 * 1024

/**
 * Writes a backup's bytes durably: a temporary file (0600) in `dir` (created
 * 0700), fsync, then a rename to `<prefix>-<ISO time>.lvbackup` (suffixed if the
 * name is taken), so a crash never leaves a half backup under a backup's name.
 * Returns the path and the bytes written. Only `lanvault-` files are listed and
 * pruned. `chunks` may come a slice at a time (gatherBackup); if they fail, so
 * does the write, and no file is left.
 */
export async function writeBackupFile(
  dir: string, createdAt: number, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, prefix = "lanvault",
): Promise<{ path: string; bytes: number }> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE })
  const path = await freeName(dir, createdAt, prefix)
  // A random name created exclusively: nobody can plant the temp file (or a link in its place) beforehand.
  const temp = join(dir, `.lanvault-backup.tmp-${randomBytes(8).toString("hex")}`)
  const file = await open(temp, "wx", FILE_MODE)
  let bytes = 0
  try {
    await file.chmod(FILE_MODE)
    let pending: Uint8Array[] = []
    let pendingBytes = 0
    for await (const chunk of chunks) {
      pending.push(chunk)
      pendingBytes += chunk.length
      if (pendingBytes < WRITE_BYTES) continue
      await writeAll(file, Buffer.concat(pending))
      bytes += pendingBytes
      pending = []
      pendingBytes = 0
    }
    await writeAll(file, Buffer.concat(pending))
    bytes += pendingBytes
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
  return { path, bytes }
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
