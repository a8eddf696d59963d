import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ImportSummary } from "../api/protocol.js"
import { LanvaultError } from "../errors.js"

/** Largest file the page may hand over for import (the daemon's own limit is the same). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024

/**
 * A file dropped in the page, imported by the daemon: the bytes go to a private
 * temporary file (0600 in a 0700 directory) only for the length of the `import`
 * call, and are removed whatever happens. The daemon detects the format.
 */
export async function importUpload(bytes: Uint8Array, name: string, callImport: (path: string) => Promise<ImportSummary>): Promise<ImportSummary> {
  if (bytes.byteLength === 0) throw new LanvaultError("INVALID_PARAMS", "the dropped file is empty")
  if (bytes.byteLength > MAX_IMPORT_BYTES) throw new LanvaultError("MESSAGE_TOO_LARGE", `files over ${MAX_IMPORT_BYTES / 1024 / 1024} MiB cannot be imported from the window: use \`lanvault import FILE\``)
  const dir = await mkdtemp(join(tmpdir(), "lanvault-import-"))
  try {
    // Keep the extension: detection may use it (a .csv, a .json, a .kdbx).
    const extension = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0] ?? ""
    const path = join(dir, `upload${extension.toLowerCase()}`)
    await writeFile(path, bytes, { mode: 0o600 })
    return await callImport(path)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
