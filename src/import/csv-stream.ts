/**
 * A CSV file read in chunks and parsed as it comes (csv-parse's streaming
 * parser): only one chunk of bytes and of text is held at a time, never the
 * whole file, its text and a normalised copy together (three times a 256 MiB
 * file). The rows are the same `readCsv` gives for the whole text.
 */
import type { FileHandle } from "node:fs/promises"
import { finished } from "node:stream/promises"
import { Parser } from "csv-parse"
import { csvParseOptions, ParsedCsv, type CsvRow } from "./csv-text.js"

/** Bytes read at a time. */
export const CSV_CHUNK_BYTES = 256 * 1024

/**
 * Parses the CSV file open in `handle` from its start. Rejects on invalid UTF-8
 * (a TypeError from the decoder) or malformed CSV (a CsvError): the caller then
 * reads the whole file the usual way, which names the line.
 */
export async function streamCsvRows(handle: FileHandle): Promise<ParsedCsv> {
  const rows: CsvRow[] = []
  // Strict, and drops a leading BOM, as decodeUtf8 does.
  const decoder = new TextDecoder("utf-8", { fatal: true })
  const parser = new Parser(csvParseOptions(rows, () => undefined))
  // Records are taken by on_record, nothing is pushed: flowing mode lets the stream end.
  parser.resume()
  const done = finished(parser)
  // Its rejection is awaited below; until then, a handler keeps it from counting as unhandled.
  done.catch(() => undefined)
  const buffer = new Uint8Array(CSV_CHUNK_BYTES)
  // A chunk may end between the \r and \n of a CRLF: the \r waits for the next one.
  let carry = ""
  try {
    for (let position = 0; !parser.destroyed; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) break
      position += bytesRead
      const text = carry + decoder.decode(buffer.subarray(0, bytesRead), { stream: true })
      carry = text.endsWith("\r") ? "\r" : ""
      parser.write(normalise(carry === "" ? text : text.slice(0, -1)))
    }
    const rest = normalise(carry + decoder.decode())
    if (!parser.destroyed) {
      if (rest !== "") parser.write(rest)
      parser.end()
    }
    await done
  } finally {
    parser.destroy()
  }
  return new ParsedCsv(rows)
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, "\n")
}
