import type { FieldKind } from "../api/public.js"

/** What a hidden secret value looks like in human output. */
export const MASK = "••••••••"
/** How many characters of an id tables show (enough to pass back as a prefix). */
export const SHORT_ID_CHARS = 8

/** Kinds whose values are shown only on request (`--reveal`). */
export function isHiddenKind(kind: FieldKind): boolean {
  return kind === "secret" || kind === "totp"
}

/** The first characters of an id, as tables show it. */
export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_CHARS)
}

/** Left-aligned columns separated by two spaces, with a header row; trailing spaces trimmed. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows]
  const widths = header.map((_, column) => Math.max(...all.map((row) => [...(row[column] ?? "")].length)))
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell + " ".repeat(widths[column] - [...cell].length))
      .join("  ")
      .trimEnd()
  return all.map(line).join("\n")
}

/** `label  value` lines with the labels padded to one width. */
export function formatPairs(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length))
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")
}

/** A local date and time, `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, "0")
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** A duration in the largest sensible units: `3 d 4 h`, `2 h 5 min`, `40 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  const [d, h, m] = [Math.floor(seconds / 86_400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60]
  if (d > 0) return `${d} d ${h} h`
  if (h > 0) return `${h} h ${m} min`
  if (m > 0) return `${m} min`
  return `${seconds} s`
}
