/**
 * KeePass KDBX 3.1 / 4 (the database password, and a key file if it has one)
 * and KeePass 2 XML exports, both read by kdbxweb and mapped by
 * keepass-entries.ts. A wrong password or key file is `WRONG_PASSWORD`.
 */
import { XMLValidator } from "fast-xml-parser"
import { LanvaultError } from "../errors.js"
import { decodeUtf8 } from "./decode-text.js"
import { arrayBufferOf, kdbx } from "./kdbx-engine.js"
import { keepassDrafts } from "./keepass-entries.js"
import type { FormatOutput, ImportOptions } from "./types.js"

/** Opens a KDBX file with `options.password` (and `options.keyFile`). */
export async function parseKdbx(bytes: Uint8Array, options: ImportOptions): Promise<FormatOutput> {
  const kdbxweb = kdbx()
  if (options.password === undefined && options.keyFile === undefined) {
    throw new LanvaultError("WRONG_PASSWORD", "this KeePass database needs its password: give it at the prompt or in LANVAULT_IMPORT_PASSWORD")
  }
  const password = options.password === undefined ? null : kdbxweb.ProtectedValue.fromString(options.password)
  const credentials = new kdbxweb.Credentials(password, options.keyFile === undefined ? null : arrayBufferOf(options.keyFile))
  try {
    const db = await kdbxweb.Kdbx.load(arrayBufferOf(bytes), credentials)
    return keepassDrafts(db, kdbxweb.ProtectedValue)
  } catch (error) {
    throw kdbxFailure(error, bytes.length)
  }
}

/** Reads a KeePass 2 XML export (unencrypted; protected values are in the clear). */
export async function parseKeepassXml(bytes: Uint8Array): Promise<FormatOutput> {
  const text = decodeUtf8(bytes)
  const check = XMLValidator.validate(text)
  if (check !== true) {
    const { line, col, msg } = check.err
    const end = line >= text.split("\n").length ? " (is the file cut short?)" : ""
    throw new LanvaultError("IMPORT_FAILED", `line ${line}, column ${col}: invalid XML: ${msg}${end}: this is not a valid KeePass XML file`, { data: { line } })
  }
  const kdbxweb = kdbx()
  try {
    const db = await kdbxweb.Kdbx.loadXml(text, new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString("")))
    return keepassDrafts(db, kdbxweb.ProtectedValue)
  } catch (error) {
    throw kdbxFailure(error, bytes.length)
  }
}

function kdbxFailure(error: unknown, length: number): LanvaultError {
  if (error instanceof LanvaultError) return error
  const code = (error as { code?: string }).code
  if (code === "InvalidKey") return new LanvaultError("WRONG_PASSWORD", "wrong password or key file for this KeePass database")
  if (code === "InvalidVersion") return new LanvaultError("IMPORT_FAILED", "this KeePass database version is not supported (lanvault reads KDBX 3.1 and 4)")
  const detail = (error as Error).message ?? String(error)
  return new LanvaultError("IMPORT_FAILED", `the KeePass file is damaged or cut short (it ends at byte ${length}): ${detail}`, { cause: error, data: { offset: length } })
}
