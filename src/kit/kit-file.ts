import { closeSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, writeSync, constants } from "node:fs"
import { basename, dirname, join } from "node:path"
import { randomBytes } from "node:crypto"
import { LanvaultError } from "../errors.js"

/**
 * Writes the kit at `path`: a regular file only (a device node, a FIFO or a
 * directory there is refused), through an exclusive temp file beside it,
 * fsynced, mode 0600, then renamed over. Every failure is WRITE_FAILED with
 * what to do; the account key is never in the message.
 */
export function writeKitFile(path: string, bytes: Uint8Array): void {
  refuseNonRegular(path)
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(temp, path)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    rmSync(temp, { force: true })
    throw new LanvaultError("WRITE_FAILED", `cannot write the emergency kit to ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}): choose a writable folder`, { cause: error })
  }
}

function refuseNonRegular(path: string): void {
  let stat
  try {
    stat = lstatSync(path)
  } catch {
    return
  }
  if (!stat.isFile()) {
    throw new LanvaultError("WRITE_FAILED", `${path} exists and is not a regular file: the emergency kit is written only to a new or regular file`)
  }
}
