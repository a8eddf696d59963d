/** The bench's figures: collected as phases run, printed as one table, written as JSON. */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { summarize, type Summary } from "./stats.js"
import { loadAverage1m, type Machine } from "./machine.js"

/** Below this many samples a p99 means nothing: the table shows the spread (min–max) instead. */
const MIN_SAMPLES_FOR_P99 = 100

export interface Figure extends Summary {
  key: string
  label: string
  unit: string
  note?: string
  /** CPU time the daemon used per sample (all its threads): unlike wall time, barely moved by other load on the machine. */
  daemonCpuMs?: Summary
  /** The machine's 1-minute load average when the figure was taken (other helpers' work shows here). */
  load1m?: number
}

/** A figure this machine cannot measure (e.g. netns hosts without root), and why. */
export interface SkippedFigure {
  key: string
  label: string
  reason: string
}

export interface FigureOptions {
  note?: string
  /** The daemon's CPU time during each sample, ms. */
  cpuMs?: readonly number[]
}

export interface Results {
  machine: Machine
  mode: "full" | "quick" | "large"
  sizes: Record<string, unknown>
  startedAt: string
  durationS: number
  ok: boolean
  error?: string
  figures: Figure[]
  skipped: SkippedFigure[]
}

/** Collects figures in the order they were measured. */
export class Report {
  readonly figures: Figure[] = []
  readonly skipped: SkippedFigure[] = []

  /** Adds a figure from raw samples; returns its summary. */
  add(key: string, label: string, unit: string, samples: readonly number[], options: FigureOptions = {}): Figure {
    const figure: Figure = { key, label, unit, ...summarize(samples), load1m: loadAverage1m() }
    if (options.note) figure.note = options.note
    if (options.cpuMs) figure.daemonCpuMs = summarize(options.cpuMs)
    this.figures.push(figure)
    return figure
  }

  /** Records a figure that was not measured here; the table shows "skipped: <reason>". */
  skip(key: string, label: string, reason: string): void {
    this.skipped.push({ key, label, reason })
  }

  table(): string {
    const header = ["figure", "median", "p99 / spread", "n", "daemon CPU", "load"]
    const rows = this.figures.map((f) => [
      f.label, `${format(f.median)} ${f.unit}`, spread(f), String(f.n), f.daemonCpuMs ? `${format(f.daemonCpuMs.median)} ms` : "", f.load1m?.toFixed(1) ?? "",
    ])
    for (const s of this.skipped) rows.push([s.label, `skipped: ${s.reason}`, "—", "0", "", ""])
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")
    const notes = this.figures.filter((f) => f.note).map((f) => `  ${f.label}: ${f.note}`)
    const legend = "daemon CPU: median CPU time (user + system, all threads) the daemon used per sample, from /proc (10 ms ticks); " +
      "load: the machine's 1-minute load average when the figure was taken (2 cpus: above 2, other work competed for them)"
    return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line), "", legend, ...(notes.length ? ["notes:", ...notes] : [])].join("\n")
  }
}

export function writeResults(path: string, results: Results): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`)
}

function spread(f: Figure): string {
  if (f.n === 1) return "—"
  if (f.n >= MIN_SAMPLES_FOR_P99) return `p99 ${format(f.p99)} ${f.unit}`
  return `${format(f.min)}–${format(f.max)}`
}

/** Three significant digits, no exponent. */
function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString("en-US")
  if (value >= 10) return value.toFixed(1)
  return value.toFixed(2)
}
