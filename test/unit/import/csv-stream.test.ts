import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { open } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { CSV_CHUNK_BYTES, streamCsvRows } from "../../../src/import/csv-stream.js"
import { readCsv } from "../../../src/import/csv-text.js"
import { readImport } from "../../../src/import/parse-import.js"
import { STREAM_FROM_BYTES, streamImport } from "../../../src/import/stream-import.js"

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lanvault-csv-stream-"))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function streamedRows(bytes: Uint8Array) {
  const path = join(dir, "file.csv")
  writeFileSync(path, bytes)
  const handle = await open(path, "r")
  try {
    return (await streamCsvRows(handle)).rows
  } finally {
    await handle.close()
  }
}

/** A Chrome export past the streaming size, with CRLF, quoted multi-line notes and characters of 2-4 bytes. */
function chromeExport(rows: number, lineEnd = "\r\n"): string {
  const lines = ["name,url,username,password,note"]
  for (let i = 0; i < rows; i++) {
    const note = i % 7 === 0 ? `"first line, é€😀${lineEnd}second ""quoted"" line"` : `plain ${i} ü`
    lines.push(`site${i}.example,https://site${i}.example/,user${i}@mail,pw-€-${i},${note}`)
  }
  return `\uFEFF${lines.join(lineEnd)}${lineEnd}`
}

describe("streamCsvRows", () => {
  it("gives the rows readCsv gives for the whole text, across chunk edges (CRLF, multi-line cells, multi-byte characters)", async () => {
    const text = chromeExport(12_000)
    const bytes = new TextEncoder().encode(text)
    expect(bytes.length).toBeGreaterThan(3 * CSV_CHUNK_BYTES)
    expect(await streamedRows(bytes)).toEqual(readCsv(text.slice(1), "CSV"))
  })

  it("keeps a CRLF cut by a chunk edge one line end, and a character cut by one whole", async () => {
    const encoder = new TextEncoder()
    // The \r of a CRLF is the last byte of the first chunk; a 4-byte character spans the second edge.
    const head = "a,b\r\n"
    const fill = "x".repeat(CSV_CHUNK_BYTES - encoder.encode(head).length - "y,".length - 1)
    const first = `${head}y,${fill}\r\n`
    expect(encoder.encode(first).length).toBe(CSV_CHUNK_BYTES + 1)
    const second = `z,${"w".repeat(CSV_CHUNK_BYTES - 2 - 2 - 1)}😀\r\n"q\r\nr",end\r\n`
    const text = first + second
    const rows = await streamedRows(encoder.encode(text))
    expect(rows).toEqual(readCsv(text, "CSV"))
    expect(rows.map((row) => row.line)).toEqual([1, 2, 3, 4])
    expect(rows[3].cells[0]).toBe("q\nr")
  })

  it("rejects invalid UTF-8 and an unclosed quote", async () => {
    await expect(streamedRows(new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0xff, 0x0a]))).rejects.toThrow()
    await expect(streamedRows(new TextEncoder().encode('a,b\n"never closed,c\n'))).rejects.toThrow()
  })
})

describe("streamImport", () => {
  it("reads a large CSV export to the same result as the whole-file read, format detected from its head", async () => {
    const bytes = new TextEncoder().encode(chromeExport(20_000))
    expect(bytes.length).toBeGreaterThan(STREAM_FROM_BYTES)
    const path = join(dir, "chrome.csv")
    writeFileSync(path, bytes)
    const streamed = await streamImport(path, undefined, {})
    expect(streamed).toBeDefined()
    expect(streamed).toEqual(await readImport(bytes, undefined, {}))
    expect(streamed!.records).toHaveLength(20_000)
    expect(streamed!.format).toBe("chrome-csv")
  })

  it("leaves small files, JSON and a malformed CSV to the whole-file read (which names the line)", async () => {
    const small = join(dir, "small.csv")
    writeFileSync(small, chromeExport(10))
    expect(await streamImport(small, undefined, {})).toBeUndefined()
    const json = join(dir, "export.json")
    writeFileSync(json, JSON.stringify({ encrypted: false, items: Array.from({ length: 20_000 }, (_, i) => ({ type: 1, name: `item ${i}`, login: { username: "u", password: `p${i}` } })) }))
    expect(await streamImport(json, undefined, {})).toBeUndefined()
    const cut = join(dir, "cut.csv")
    const text = `${chromeExport(20_000, "\n")}site,https://x.example/,u,p,"never closed\n`
    writeFileSync(cut, text)
    expect(await streamImport(cut, "chrome-csv", {})).toBeUndefined()
    const whole = await readImport(new TextEncoder().encode(text), "chrome-csv").catch((error: unknown) => error)
    expect(whole).toBeInstanceOf(LanvaultError)
    expect((whole as LanvaultError).code).toBe("IMPORT_FAILED")
  })
})
