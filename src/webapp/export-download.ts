import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { InvalidParamsError } from "../errors.js"

/** The formats the window offers, with the file name the browser saves each as. */
export const DOWNLOAD_NAMES: Readonly<Record<string, string>> = {
  json: "lanvault-export.json",
  csv: "lanvault-export.csv",
  "bitwarden-json": "lanvault-bitwarden.json",
  kdbx: "lanvault.kdbx",
}

/** What the page asks for: a format and, for KeePass, the new file's password (in the body, never a URL). */
export interface ExportRequest {
  format: string
  password?: string
}

/** The exported file for the browser to save. */
export interface ExportDownload {
  bytes: Uint8Array
  fileName: string
  exported: number
}

/** Reads `{format, password?}` from the page's JSON body; INVALID_PARAMS for anything else. */
export function readExportRequest(body: unknown): ExportRequest {
  const { format, password, ...rest } = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
  if (Object.keys(rest).length > 0) throw new InvalidParamsError(`an export takes only "format" and "password"`)
  if (typeof format !== "string" || !Object.hasOwn(DOWNLOAD_NAMES, format)) {
    throw new InvalidParamsError(`choose a format: ${Object.keys(DOWNLOAD_NAMES).join(", ")}`)
  }
  if (password !== undefined && typeof password !== "string") throw new InvalidParamsError('"password" must be a string')
  return { format, password }
}

/**
 * An export for the browser to download: the daemon writes it (0600) into a private
 * temporary directory of the app server, which reads it back and removes it at once,
 * whatever happens. The page never names a path, so it cannot make the daemon write
 * anywhere else.
 */
export async function exportDownload(
  request: ExportRequest,
  callExport: (params: { path: string; format: string; password?: string }) => Promise<{ exported: number }>,
): Promise<ExportDownload> {
  const fileName = DOWNLOAD_NAMES[request.format]
  const dir = await mkdtemp(join(tmpdir(), "lanvault-export-"))
  try {
    const path = join(dir, fileName)
    const { exported } = await callExport({ path, format: request.format, ...(request.password === undefined ? {} : { password: request.password }) })
    return { bytes: new Uint8Array(await readFile(path)), fileName, exported }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
