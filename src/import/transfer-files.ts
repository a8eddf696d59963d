/**
 * The only file I/O of import/export: reading an import file without ever
 * blocking on a FIFO or a device, and writing an export atomically as a new
 * private (0600) regular file. Everything else in import/ is pure.
 */
import { constants } from "node:fs"
import { lstat, open, rename, unlink, type FileHandle } from "node:fs/promises"
import { randomBytes } from "node:crypto"
import { basename, dirname, isAbsolute, join } from "node:path"
import { InvalidParamsError, LanvaultError } from "../errors.js"
import { syncDirectory } from "../durable-file.js"

/** The largest file `import` reads. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024
/** The largest KeePass key file read. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024
const EXPORT_FILE_MODE = 0o600

/**
 * Reads a regular file of at most `maxBytes`. Opened non-blocking and checked
 * with fstat before any read, so a FIFO, a device (/dev/zero), a directory or a
 * huge file fail at once with `NOT_A_FILE` / `FILE_TOO_LARGE`.
 */
export async function readRegularFile(path: string, what: string, maxBytes = MAX_IMPORT_BYTES): Promise<Uint8Array> {
  return withRegularFile(path, what, maxBytes, async (handle) => {
    const bytes = await handle.readFile()
    if (bytes.length > maxBytes) throw new LanvaultError("FILE_TOO_LARGE", `the ${what} ${path} grew past ${mib(maxBytes)} MiB while being read`)
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
  })
}

/**
 * The checks of {@link readRegularFile} without reading: a refused file fails
 * here at once, in the calling thread, before any work starts. Resolves with the size.
 */
export async function checkRegularFile(path: string, what: string, maxBytes = MAX_IMPORT_BYTES): Promise<number> {
  return withRegularFile(path, what, maxBytes, async (handle) => (await handle.stat()).size)
}

/**
 * Opens `path` as {@link readRegularFile} does (the same refusals, before any
 * read) and hands the open handle and the file's size to `use`; closes it after.
 */
export async function withRegularFile<T>(path: string, what: string, maxBytes: number, use: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  if (!isAbsolute(path)) throw new InvalidParamsError(`the ${what} path must be absolute`)
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (error) {
    throw ioFailure("IMPORT_FAILED", `cannot open the ${what} ${path}`, error)
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw notAFile(path, what, kindOf(stats))
    if (stats.size > maxBytes) {
      throw new LanvaultError("FILE_TOO_LARGE", `the ${what} ${path} is ${mib(stats.size)} MiB: lanvault reads at most ${mib(maxBytes)} MiB`, {
        data: { size: stats.size, limit: maxBytes },
      })
    }
    return await use(handle, stats.size)
  } catch (error) {
    if (error instanceof LanvaultError) throw error
    throw ioFailure("IMPORT_FAILED", `cannot read the ${what} ${path}`, error)
  } finally {
    await handle.close()
  }
}

/**
 * Writes `data` to `path` as a regular file with mode 0600, atomically: a new
 * temporary file in the same directory, written, synced and renamed over the
 * path. A path that is a directory, FIFO, device, socket or symlink is refused
 * (`NOT_A_FILE`) and left as it was; every write error is `EXPORT_FAILED`
 * naming the OS error, and nothing is left behind.
 */
export async function writePrivateFile(path: string, data: Uint8Array | string): Promise<void> {
  if (!isAbsolute(path)) throw new InvalidParamsError("the export path must be absolute")
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined
    throw ioFailure("EXPORT_FAILED", `cannot check ${path}`, error)
  })
  if (existing !== undefined && !existing.isFile()) throw notAFile(path, "export file", kindOf(existing))
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`)
  let handle
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, EXPORT_FILE_MODE)
  } catch (error) {
    throw ioFailure("EXPORT_FAILED", `cannot create a file in ${dirname(path)}`, error)
  }
  try {
    await handle.writeFile(data)
    await handle.chmod(EXPORT_FILE_MODE)
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, path)
  } catch (error) {
    await handle?.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    throw ioFailure("EXPORT_FAILED", `cannot write ${path}`, error)
  }
  await syncDirectory(dirname(path))
}

function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isSymbolicLink(): boolean }): string {
  if (stats.isDirectory()) return "a directory"
  if (stats.isFIFO()) return "a FIFO (named pipe)"
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device"
  if (stats.isSocket()) return "a socket"
  if (stats.isSymbolicLink()) return "a symbolic link"
  return "not a regular file"
}

function notAFile(path: string, what: string, kind: string): LanvaultError {
  return new LanvaultError("NOT_A_FILE", `the ${what} ${path} is ${kind}, not a regular file: give the path of a file`, { data: { path } })
}

function ioFailure(code: "IMPORT_FAILED" | "EXPORT_FAILED", what: string, error: unknown): LanvaultError {
  const errno = (error as NodeJS.ErrnoException).code ?? "error"
  const hint = errno === "ENOSPC" ? " (the disk is full)" : errno === "ENOENT" ? " (no such file or directory)" : errno === "EACCES" ? " (permission denied)" : ""
  return new LanvaultError(code, `${what}: ${errno}${hint}`, { cause: error, data: { errno } })
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)
}
