/** Reading the ZIP exports of other managers (1PUX, Proton Pass) with fflate: member names, then chosen members. */
import { unzipSync } from "fflate"
import { LanvaultError } from "../errors.js"

const LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04]
const EMPTY_ARCHIVE = [0x50, 0x4b, 0x05, 0x06]
const FLAGS_OFFSET = 6
const ENCRYPTED_FLAG = 0x01
// A member larger than this is not an export document (attachments are never read).
const MAX_MEMBER_BYTES = 256 * 1024 * 1024

/** Whether `bytes` start like a ZIP file. */
export function isZip(bytes: Uint8Array): boolean {
  return [LOCAL_HEADER, EMPTY_ARCHIVE].some((magic) => magic.every((byte, i) => bytes[i] === byte))
}

/** Whether the first member is encrypted (ZIP general-purpose flag bit 0, APPNOTE 4.4.4). */
export function isEncryptedZip(bytes: Uint8Array): boolean {
  return LOCAL_HEADER.every((byte, i) => bytes[i] === byte) && bytes.length > FLAGS_OFFSET && (bytes[FLAGS_OFFSET] & ENCRYPTED_FLAG) !== 0
}

/** The names of the members, from the central directory; a damaged or cut-short ZIP throws `IMPORT_FAILED`. */
export function zipMemberNames(bytes: Uint8Array): string[] {
  const names: string[] = []
  unzip(bytes, "the ZIP file", (name) => {
    names.push(name)
    return false
  })
  return names
}

/**
 * The members `wanted` picks, decompressed. `what` names the file in errors
 * ("the 1PUX file"). Throws `IMPORT_FAILED` when the ZIP is damaged or cut short.
 */
export function readZipMembers(bytes: Uint8Array, what: string, wanted: (name: string) => boolean): Record<string, Uint8Array> {
  return unzip(bytes, what, (name, size) => {
    if (!wanted(name)) return false
    if (size > MAX_MEMBER_BYTES) throw new LanvaultError("IMPORT_FAILED", `${what}: member ${name} is larger than ${MAX_MEMBER_BYTES / 1024 / 1024} MiB`)
    return true
  })
}

function unzip(bytes: Uint8Array, what: string, filter: (name: string, size: number) => boolean): Record<string, Uint8Array> {
  if (isEncryptedZip(bytes)) throw new LanvaultError("IMPORT_FAILED", `${what} is password-protected: export it again without encryption, then import that`)
  try {
    return unzipSync(bytes, { filter: (file) => filter(file.name, file.originalSize) })
  } catch (error) {
    if (error instanceof LanvaultError) throw error
    throw new LanvaultError(
      "IMPORT_FAILED",
      `${what} is damaged or cut short (it ends at byte ${bytes.length}; ${(error as Error).message}): export it again`,
      { cause: error, data: { offset: bytes.length } },
    )
  }
}
