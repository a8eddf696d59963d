/**
 * The issue-18 table ("Lean and never blocking"): every row with the figure the
 * issue measured before the work, the goal, and the figure measured now (with the
 * 1-minute load average when it was taken), so a closing note can quote it. The
 * 10k rows come from a full run, the 100k rows from `--large`; a row of the other
 * mode is read from that mode's last results (bench/results-<mode>.json) and says
 * when that run started. A quick run's sizes are not the issue's: it only shows
 * what the last full and large runs measured.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { Figure, Results } from "./report.js"

/** The vault size of the issue's rows per mode. */
const ISSUE_RECORDS = { full: 10_000, large: 100_000 } as const

/** The figures a row reads: this run's, or the last run's of the mode the row belongs to. */
interface Source {
  figure(key: string): Figure | undefined
  /** The vault size those figures were measured at. */
  records: number
  /** "" for this run, else " — <mode> run of <startedAt>". */
  origin: string
}

interface IssueRow {
  figure: string
  /** The issue's "now" column (before this work). */
  before: string
  goal: string
  /** The run that measures it: a full run (10k) or `--large` (100k). */
  mode: "full" | "large"
  /** The figure the row reads (its load average is shown). */
  key: string
  show: (f: Figure, other: (key: string) => Figure | undefined) => string
  /** Whether the goal is met; undefined when the figures cannot say. */
  met: (f: Figure, other: (key: string) => Figure | undefined) => boolean | undefined
  /** The same figure of the other mode, shown beside it (the 100k edit row's "the same as at 10k"). */
  beside?: { mode: "full" | "large"; show: (f: Figure) => string }
}

const AUTOMERGE_EDIT = "am.buckets.edit.event"

const ROWS: IssueRow[] = [
  {
    figure: "daemon RSS, locked, 10k records on disk", before: "100 MiB (empty vault: 88.7)", goal: "≤ 60 MiB", mode: "full", key: "rss.locked.records",
    show: (f, o) => `${mib(f.median)}${also(o("rss.locked"), (e) => ` (empty vault: ${mib(e.median)})`)}`, met: (f) => f.median <= 60,
  },
  {
    figure: "daemon RSS, unlocked, 10k records", before: "171–184 MiB", goal: "≤ 110 MiB", mode: "full", key: "rss.unlocked.records",
    show: (f) => mib(f.median), met: (f) => f.median <= 110,
  },
  {
    figure: "RSS 5 s after `lock` following a 50k import", before: "870 MiB", goal: "within 20 MiB of the locked figure", mode: "full", key: "rss.after-import-lock",
    show: (f, o) => `${mib(f.median)}${also(o("rss.importer.locked"), (l) => ` (locked before the import: ${mib(l.median)})`)}`,
    met: (f, o) => {
      const locked = o("rss.importer.locked")
      return locked === undefined ? undefined : f.median - locked.median <= 20
    },
  },
  {
    figure: "peak RSS during a 50k-row import", before: "691–896 MiB", goal: "≤ 300 MiB", mode: "full", key: "import.chrome.peak-rss",
    show: (f) => mib(f.median), met: (f) => f.median <= 300,
  },
  {
    figure: "50k-row Chrome CSV import", before: "12.5–15.1 s", goal: "≤ 5 s", mode: "full", key: "import.chrome.time",
    show: (f) => seconds(f.median), met: (f) => f.median <= 5_000,
  },
  {
    figure: "`status` while that import runs: p99 / max", before: "15.0 s / 15.0 s", goal: "≤ 50 ms / ≤ 200 ms", mode: "full", key: "import.chrome.status",
    show: (f) => `${ms(f.p99)} / ${ms(f.max)}`, met: (f) => f.p99 <= 50 && f.max <= 200,
  },
  {
    figure: "a new device: `unlock` → all 10k records listed", before: "4.8 s", goal: "≤ 1 s", mode: "full", key: "join.listed",
    show: (f, o) => `${seconds(f.median)}${also(o("am.buckets.first-sync"), (a) => `; automerge-repo 64 docs, join → materialized: ${seconds(a.median)}`)}`,
    met: (f) => f.median <= 1_000,
  },
  {
    figure: "unlock of 10k records (fresh process, snapshot)", before: "1.42 s", goal: "≤ 0.8 s", mode: "full", key: "unlock.after-kill",
    show: (f) => seconds(f.median), met: (f) => f.median <= 800,
  },
  {
    figure: "`records.list` of 10k", before: "55.7 ms", goal: "≤ 30 ms", mode: "full", key: "list.ms",
    show: (f) => ms(f.median), met: (f) => f.median <= 30,
  },
  {
    figure: "edit on A → `record.changed` on B, p99", before: "20.0 ms (automerge-repo with 64 docs: 8.1 ms, same run)", goal: "≤ 10 ms", mode: "full", key: "edit.event",
    show: (f, o) => `${ms(f.p99)} (p50 ${ms(f.median)})${also(o(AUTOMERGE_EDIT), (a) => `; automerge-repo 64 docs: ${ms(a.p99)} (p50 ${ms(a.median)})`)}${early(o)}${cold(o)}`,
    met: (f) => f.p99 <= 10,
  },
  {
    figure: "edit on A → `record.changed` on B at 100k records, p50 / p99", before: "20.4 / 81.3 ms (7× the 10k figure)", goal: "the same as at 10k", mode: "large", key: "edit.event",
    show: (f, o) => `${ms(f.median)} / ${ms(f.p99)}${also(o(AUTOMERGE_EDIT), (a) => `; automerge-repo 64 docs: ${ms(a.median)} / ${ms(a.p99)}`)}${cold(o)}`,
    met: () => undefined,
    beside: { mode: "full", show: (f) => `; at 10k: ${ms(f.median)} / ${ms(f.p99)}` },
  },
  {
    figure: "a new device, 100k records: `unlock` → listed", before: "first sync 8.9 s + first unlock 23.9 s ≈ 33 s", goal: "≤ 8 s", mode: "large", key: "join.listed",
    show: (f, o) => `${seconds(f.median)}${also(o("am.buckets.first-sync"), (a) => `; automerge-repo 64 docs, join → materialized: ${seconds(a.median)}`)}`,
    met: (f) => f.median <= 8_000,
  },
  {
    figure: "unlock of 100k (fresh process, snapshot)", before: "11.4 s", goal: "≤ 4 s", mode: "large", key: "unlock.after-kill",
    show: (f) => seconds(f.median), met: (f) => f.median <= 4_000,
  },
  {
    figure: "RSS unlocked, 100k", before: "459 MiB fresh, 995 MiB right after creating them", goal: "≤ 250 MiB", mode: "large", key: "rss.unlocked.records",
    show: (f, o) => `${mib(f.median)} fresh${also(o("rss.after-create"), (c) => `, ${mib(c.median)} right after filling`)}`, met: (f) => f.median <= 250,
  },
  {
    figure: "`records.list` of 100k", before: "737 ms", goal: "≤ 150 ms (or a paged list that returns its first page in ≤ 30 ms)", mode: "large", key: "list.ms",
    show: (f, o) => `${ms(f.median)}${also(o("list.page.ms"), (p) => `; first page of 100: ${ms(p.median)}`)}`,
    met: (f, o) => f.median <= 150 || (o("list.page.ms")?.median ?? Infinity) <= 30,
  },
]

/** The issue table as markdown, from `results` and the other mode's last results in `dir`. */
export function issueTable(results: Results, dir: string): string {
  const lines = [
    "issue 18, every row of its table (before: the issue's figure; now: measured, with the 1-minute load average then; 10k rows: full run, 100k rows: --large)",
    "",
    "| figure | before | now | goal | met |",
    "|---|---|---|---|---|",
  ]
  for (const row of ROWS) {
    const source = sourceFor(row.mode, results, dir)
    const figure = source?.figure(row.key)
    if (source === undefined || figure === undefined) {
      lines.push(`| ${row.figure} | ${row.before} | not measured: run \`npm run bench${row.mode === "large" ? " -- --large" : ""}\` | ${row.goal} | — |`)
      continue
    }
    const other = (key: string) => source.figure(key)
    const load = figure.load1m === undefined ? "" : ` [load ${figure.load1m.toFixed(1)}]`
    const atSize = source.records === ISSUE_RECORDS[row.mode]
    const size = atSize ? "" : ` (at ${source.records} records, not the issue's ${ISSUE_RECORDS[row.mode]})`
    const besideSource = row.beside === undefined ? undefined : sourceFor(row.beside.mode, results, dir)
    const besideFigure = besideSource?.records === ISSUE_RECORDS[row.beside?.mode ?? "full"] ? besideSource.figure(row.key) : undefined
    const beside = besideFigure === undefined ? "" : row.beside!.show(besideFigure)
    const met = atSize ? row.met(figure, other) : undefined
    lines.push(`| ${row.figure} | ${row.before} | ${row.show(figure, other)}${beside}${size}${load}${source.origin} | ${row.goal} | ${met === undefined ? "—" : met ? "yes" : "no"} |`)
  }
  return lines.join("\n")
}

/** Where a mode's last results are kept beside bench/results.json. */
export function modeResultsPath(dir: string, mode: Results["mode"]): string {
  return join(dir, `results-${mode}.json`)
}

function sourceFor(mode: "full" | "large", results: Results, dir: string): Source | undefined {
  if (results.mode === mode) return { figure: (key) => results.figures.find((f) => f.key === key), records: recordsOf(results), origin: "" }
  const path = modeResultsPath(dir, mode)
  if (!existsSync(path)) return undefined
  const other = JSON.parse(readFileSync(path, "utf8")) as Results
  const load = other.machine.loadAverage?.start
  return {
    figure: (key) => other.figures.find((f) => f.key === key),
    records: recordsOf(other),
    origin: ` — ${mode} run of ${other.startedAt.slice(0, 16).replace("T", " ")} UTC${load === undefined ? "" : `, load ${load.toFixed(1)} at its start`}`,
  }
}

function recordsOf(results: Results): number {
  return Number(results.sizes.records)
}

/** Whether a run measured its mode at the issue's size (only such a run stands for its mode in a later issue table). */
export function atIssueSize(results: Results): boolean {
  return results.mode !== "quick" && recordsOf(results) === ISSUE_RECORDS[results.mode]
}

/** The edit figure of the edits right after the devices met (buckets loading, V8 compiling), beside the steady state. */
function early(other: (key: string) => Figure | undefined): string {
  return also(other("edit.event.early"), (e) => `; early (buckets loading, V8 compiling): p99 ${ms(e.p99)} (p50 ${ms(e.median)})`)
}

/** The edit figure with every bucket cold (first touches after an unlock), beside the steady state. */
function cold(other: (key: string) => Figure | undefined): string {
  return also(other("edit.event.cold"), (c) => `; right after an unlock, buckets cold: median ${ms(c.median)}, max ${ms(c.max)}`)
}

function also(figure: Figure | undefined, show: (f: Figure) => string): string {
  return figure === undefined ? "" : show(figure)
}

function fmt(value: number): string {
  return value >= 100 ? Math.round(value).toString() : value.toFixed(1)
}

function mib(value: number): string {
  return `${fmt(value)} MiB`
}

function ms(value: number): string {
  return `${fmt(value)} ms`
}

function seconds(valueMs: number): string {
  return `${(valueMs / 1_000).toFixed(2)} s`
}
