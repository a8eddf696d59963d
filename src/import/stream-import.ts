/**
 * Imports streamed (issue 18): a CSV file is read in chunks and parsed as it
 * comes (csv-stream.ts), its format told from its head. Other formats, small
 * files and a CSV that does not parse cleanly go the whole-file way
 * (readImport), which also words the error. JSON formats are read whole: their
 * parts refer to each other (Bitwarden's folders, Proton's vaults) and the
 * format is told from the top-level keys, so a streaming parser would still
 * keep the whole tree; the saving would only be the text.
 */
import type { FileHandle } from "node:fs/promises"
import { streamCsvRows } from "./csv-stream.js"
import { detectFormat, type Detection } from "./detect-format.js"
import { checkFormat, CSV_FORMATS, readParsedCsv, type ReadImportResult } from "./parse-import.js"
import { MAX_IMPORT_BYTES, withRegularFile } from "./transfer-files.js"
import type { ImportOptions } from "./types.js"

/** Smaller files are read whole: nothing to save. */
export const STREAM_FROM_BYTES = 1024 * 1024
/** What format detection reads of the file's start (detect-format reads 64 Ki characters of a whole file). */
const HEAD_BYTES = 64 * 1024
const LINE_FEED = 0x0a

/** The import of a large CSV file, streamed; undefined when it is to be read whole (see the header). */
export async function streamImport(path: string, format: string | undefined, options: ImportOptions): Promise<ReadImportResult | undefined> {
  return withRegularFile(path, "import file", MAX_IMPORT_BYTES, async (handle, size) => {
    if (size < STREAM_FROM_BYTES) return undefined
    const detection = format === undefined ? await detectFromHead(handle) : { format: checkFormat(format), reason: "--format" }
    if (detection === undefined || !CSV_FORMATS.has(detection.format)) return undefined
    let rows
    try {
      rows = await streamCsvRows(handle)
    } catch {
      // Invalid UTF-8 or malformed CSV: the whole-file read names the line.
      return undefined
    }
    return readParsedCsv(rows, detection, options)
  })
}

/** The format as detection tells it from whole lines of the file's head; undefined if it cannot. */
async function detectFromHead(handle: FileHandle): Promise<Detection | undefined> {
  const head = new Uint8Array(HEAD_BYTES)
  const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0)
  const end = head.subarray(0, bytesRead).lastIndexOf(LINE_FEED)
  if (end < 0) return undefined
  try {
    return detectFormat(head.subarray(0, end + 1))
  } catch {
    return undefined
  }
}
