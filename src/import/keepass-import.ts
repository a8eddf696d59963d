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
  if (check !== true) throw xmlFailure(text, check.err)
  const kdbxweb = kdbx()
  // In an XML export protected values are in the clear, marked Protected="True": those fields are secrets.
  const protectedKeys = new Set([...text.matchAll(PROTECTED_STRING)].map((match) => decodeXmlText(match[1])))
  try {
    const db = await kdbxweb.Kdbx.loadXml(text, new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString("")))
    return keepassDrafts(db, kdbxweb.ProtectedValue, protectedKeys)
  } catch (error) {
    throw kdbxFailure(error, bytes.length)
  }
}

const PROTECTED_STRING = /<Key>([^<]*)<\/Key>\s*<Value\s+Protected="True"/g

function decodeXmlText(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&")
}

// fast-xml-parser reports a file cut short as unclosed tags at line 1: say where the file ends instead.
function xmlFailure(text: string, err: { line: number; col: number; msg: string }): LanvaultError {
  const unclosed = /^Invalid '\[(.*)\]' found/s.exec(err.msg)
  if (unclosed !== null) {
    const lines = text.split("\n").length
    const open = unclosed[1].split(",").map((name) => name.trim().replace(/^"|"$/g, "")).filter((name) => name !== "")
    return new LanvaultError("IMPORT_FAILED", `line ${lines}: the XML ends inside <${open.at(-1) ?? "?"}> (${open.length} elements left open): the file is cut short; export it again`, {
      data: { line: lines },
    })
  }
  return new LanvaultError("IMPORT_FAILED", `line ${err.line}, column ${err.col}: invalid XML: ${err.msg}: this is not a valid KeePass XML file`, { data: { line: err.line } })
}

function kdbxFailure(error: unknown, length: number): LanvaultError {
  if (error instanceof LanvaultError) return error
  const code = (error as { code?: string }).code
  if (code === "InvalidKey") return new LanvaultError("WRONG_PASSWORD", "wrong password or key file for this KeePass database")
  if (code === "InvalidVersion") return new LanvaultError("IMPORT_FAILED", "this KeePass database version is not supported (lanvault reads KDBX 3.1 and 4)")
  const detail = (error as Error).message ?? String(error)
  return new LanvaultError("IMPORT_FAILED", `the KeePass file is damaged or cut short (it ends at byte ${length}): ${detail}`, { cause: error, data: { offset: length } })
}
