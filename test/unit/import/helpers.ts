import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { LanvaultError } from "../../../src/errors.js"
import { parseImport, type ImportFormat, type ImportOptions, type ImportResult } from "../../../src/import/index.js"
import type { FieldValue } from "../../../src/merge/types.js"

const FIXTURES = fileURLToPath(new URL("../../fixtures/import/", import.meta.url))

/** The bytes of a fixture in test/fixtures/import. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name))
}

/** Imports a fixture. */
export function importFixture(name: string, format: ImportFormat, options?: ImportOptions): ImportResult {
  return parseImport(fixture(name), format, options)
}

/** Imports text given inline. */
export function importText(text: string, format: ImportFormat, options?: ImportOptions): ImportResult {
  return parseImport(new TextEncoder().encode(text), format, options)
}

/** The LanvaultError `fn` throws (fails the test if it throws something else, or nothing). */
export function thrown(fn: () => unknown): LanvaultError {
  try {
    fn()
  } catch (error) {
    if (error instanceof LanvaultError) return error
    throw new Error(`expected a LanvaultError, got ${String(error)}`, { cause: error })
  }
  throw new Error("expected a LanvaultError, nothing was thrown")
}

export const text = (value: string): FieldValue => ({ value, kind: "text" })
export const secret = (value: string): FieldValue => ({ value, kind: "secret" })
export const url = (value: string): FieldValue => ({ value, kind: "url" })
export const totp = (value: string): FieldValue => ({ value, kind: "totp" })
