/**
 * CSV text to rows with their line numbers (csv-parse), header lookups, and the
 * RFC 4180 quoting our own CSV export uses.
 */
import { parse, type CsvError, type Options } from "csv-parse/sync"
import { LanvaultError } from "../errors.js"
import { csvFormatOf } from "./csv-signatures.js"

/** One CSV record: its cells and the 1-based line it starts on. */
export interface CsvRow {
  cells: string[]
  line: number
}

/** Rows a streaming read already parsed (csv-stream.ts), given to a format's parser in place of the text. */
export class ParsedCsv {
  constructor(readonly rows: CsvRow[]) {}
}

/** What a CSV format's parser reads: the file's text, or its rows parsed while it was read in chunks. */
export type CsvSource = string | ParsedCsv

/** The options csv-parse runs with, here and in csv-stream.ts; `rows` gets each record, `lastLine` the line it ended on. */
export function csvParseOptions(rows: CsvRow[], lastLine: (line: number) => void): Options {
  return {
    record_delimiter: "\n",
    skip_empty_lines: true,
    relax_column_count: true,
    on_record: (cells: string[], context) => {
      lastLine(context.lines)
      // A line of blanks is an empty line too.
      if (cells.length === 1 && cells[0].trim() === "") return null
      rows.push({ cells, line: context.lines - newlinesIn(cells) })
      return null
    },
  }
}

/**
 * Parses CSV text (RFC 4180; empty lines skipped). Line endings are normalised to
 * `\n` first, so CRLF inside a quoted value becomes LF. A malformed file, such
 * as one cut short inside a quoted value, throws `IMPORT_FAILED` naming the line.
 * Rows parsed while streaming are taken as they are.
 */
export function readCsv(text: CsvSource, what: string): CsvRow[] {
  if (text instanceof ParsedCsv) return text.rows
  const normalised = text.replace(/\r\n?/g, "\n")
  const rows: CsvRow[] = []
  let lastLine = 0
  try {
    parse(normalised, csvParseOptions(rows, (line) => (lastLine = line)))
  } catch (error) {
    throw csvFailure(error as CsvError, normalised, lastLine, what)
  }
  return rows
}

function csvFailure(error: CsvError, text: string, lastLine: number, what: string): LanvaultError {
  const unclosed = error.code === "CSV_QUOTE_NOT_CLOSED"
  const line = unclosed ? firstFilledLine(text, lastLine + 1) : Number(error.lines) || lastLine + 1
  const problem = unclosed
    ? "a quoted value opened on this line is never closed (is the file cut short?)"
    : `malformed CSV (${error.code ?? "parse error"})`
  return new LanvaultError("IMPORT_FAILED", `line ${line}: ${problem}: this is not a valid ${what} file`, {
    cause: error,
    data: { line },
  })
}

function newlinesIn(cells: string[]): number {
  let count = 0
  for (const cell of cells) for (let i = cell.indexOf("\n"); i !== -1; i = cell.indexOf("\n", i + 1)) count++
  return count
}

// The first non-blank line at or after `line` (1-based): where a record that failed to parse began.
function firstFilledLine(text: string, line: number): number {
  const lines = text.split("\n")
  let n = line
  while (n <= lines.length && lines[n - 1].trim() === "") n++
  return Math.min(n, lines.length)
}

/** Column positions of a header row, by lower-cased trimmed name (first occurrence wins). */
export type Header = Map<string, number>

/** Reads a header row. */
export function headerOf(row: CsvRow): Header {
  const header: Header = new Map()
  row.cells.forEach((cell, index) => {
    const name = cell.trim().toLowerCase()
    if (!header.has(name)) header.set(name, index)
  })
  return header
}

/** The cell under the first of `names` the header has, or "". */
export function cellOf(row: CsvRow, header: Header, ...names: string[]): string {
  for (const name of names) {
    const index = header.get(name)
    if (index !== undefined) return row.cells[index] ?? ""
  }
  return ""
}

/** Whether the header has any of `names`. */
export function hasColumn(header: Header, ...names: string[]): boolean {
  return names.some((name) => header.has(name))
}

/**
 * Checks that `required` columns are there (each entry lists accepted names).
 * Otherwise throws `IMPORT_FAILED` for line 1, with a guess at the real format.
 */
export function requireColumns(header: Header, required: ReadonlyArray<readonly string[]>, format: string): void {
  const missing = required.filter((names) => !hasColumn(header, ...names)).map((names) => names[0])
  if (missing.length === 0) return
  throw wrongFormat(header, format, `its header lacks ${missing.map((name) => `"${name}"`).join(", ")}`)
}

/** `IMPORT_FAILED` for a file whose header is not `format`'s, naming the format it resembles. */
export function wrongFormat(header: Header, format: string, detail: string): LanvaultError {
  const guess = guessCsvFormat(header)
  const hint = guess !== undefined && guess !== format ? `; it looks like ${guess}` : ""
  return new LanvaultError("IMPORT_FAILED", `line 1: not a ${format} file: ${detail}${hint}`, { data: { line: 1 } })
}

/** The CSV format a header most resembles, if any. */
export function guessCsvFormat(header: Header): string | undefined {
  const format = csvFormatOf(new Set(header.keys()))
  return format === "csv" ? "csv (lanvault)" : format
}

/**
 * Checks a data row is as wide as the header. A row may lack trailing cells
 * after `minWidth` (Chrome leaves out an empty last note cell): those read as
 * empty. Fewer cells than that mean a cut-short or damaged file. Extra cells are
 * allowed only when empty (a trailing comma).
 */
export function requireRowWidth(row: CsvRow, width: number, minWidth = width): void {
  const extra = row.cells.slice(width)
  if (row.cells.length >= minWidth && extra.every((cell) => cell === "")) return
  throw new LanvaultError(
    "IMPORT_FAILED",
    `line ${row.line}: ${row.cells.length} columns where the header has ${width}: the file is damaged or cut short`,
    { data: { line: row.line } },
  )
}

/** One CSV cell, quoted when it holds a comma, quote, line break or edge space (RFC 4180 §2). */
export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** One CSV line (no line break). */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(",")
}

/** A CSV file with a header row: the header and the data rows after it. */
export interface CsvTable {
  header: Header
  rows: CsvRow[]
}

/**
 * Reads a CSV file whose first row is a header: checks the `required` columns
 * and that every row is as wide as the header. An empty file throws `IMPORT_FAILED`.
 */
export function readTable(text: CsvSource, format: string, required: ReadonlyArray<readonly string[]>): CsvTable {
  const [first, ...rows] = readCsv(text, format)
  if (first === undefined) {
    throw new LanvaultError("IMPORT_FAILED", `line 1: not a ${format} file: it is empty`, { data: { line: 1 } })
  }
  const header = headerOf(first)
  requireColumns(header, required, format)
  // Cells after the last required column may be missing; those before may not.
  const positions = required.map((names) => Math.max(...names.map((name) => header.get(name) ?? -1)))
  const minWidth = Math.max(0, ...positions) + 1
  for (const row of rows) requireRowWidth(row, first.cells.length, minWidth)
  return { header, rows }
}
