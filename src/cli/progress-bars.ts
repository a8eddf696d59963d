import { createRequire } from "node:module"
import type cliProgress from "cli-progress"
import { formatClock, TYPE_COLUMN_CHARS } from "./event-format.js"

/** Bars on `stderr` when it is a terminal and the output is not JSON (a command's own progress: import, export, unlock). */
export function progressBars(stderr: NodeJS.WritableStream & { isTTY?: boolean }, json: boolean | undefined): ProgressBars | undefined {
  return stderr.isTTY === true && json !== true ? new ProgressBars(stderr) : undefined
}

/** One cli-progress bar per device a sync comes from; lines logged meanwhile are printed above the bars. */
export class ProgressBars {
  private multiBar: cliProgress.MultiBar | undefined
  private readonly bars = new Map<string, cliProgress.SingleBar>()

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Whether bars are on screen (then lines go through {@link log}). */
  get active(): boolean {
    return this.multiBar !== undefined
  }

  /** Moves the bar named `label` (made on first use) to `done` of `total`. */
  update(label: string, done: number, total: number): void {
    // Required at first use: every `lanvault` process (the daemon too) loads this file, few draw a bar.
    const progress = createRequire(import.meta.url)("cli-progress") as typeof cliProgress
    this.multiBar ??= new progress.MultiBar(
      { stream: this.stream, format: " {label} [{bar}] {value}/{total}", hideCursor: true, clearOnComplete: true },
      progress.Presets.shades_classic,
    )
    const bar = this.bars.get(label) ?? this.multiBar.create(total, done, { label })
    this.bars.set(label, bar)
    bar.setTotal(total)
    bar.update(done, { label })
    if ([...this.bars.values()].every((b) => b.getProgress() >= 1)) this.finish()
  }

  /** Prints `line` above the bars at their next redraw. */
  log(line: string): void {
    this.multiBar?.log(line)
  }

  /** Takes the bars off the screen. Idempotent. */
  stop(): void {
    this.multiBar?.stop()
    this.multiBar = undefined
    this.bars.clear()
  }

  /** Every bar is full: replace them with one line each. */
  private finish(): void {
    const prefix = `${formatClock(new Date())}  ${"sync.progress".padEnd(TYPE_COLUMN_CHARS)}`
    const lines = [...this.bars.entries()].map(([label, bar]) => `${prefix}${label}: ${bar.getTotal()}/${bar.getTotal()} done\n`)
    this.stop()
    for (const line of lines) this.stream.write(line)
  }
}
