import { createRequire } from "node:module"
import type cliProgress from "cli-progress"
import type { LanvaultClient } from "../api/client.js"
import type { EventParams } from "../api/protocol.js"
import { formatClock, TYPE_COLUMN_CHARS } from "./event-format.js"

/** Long work a command waits for, and the label of its bar. */
const WORK_LABELS = { import: "importing", export: "exporting", unlock: "unlocking", backup: "backing up" } as const

/**
 * Runs `call` (the command's one long socket call) with a bar on `stderr` that follows the daemon's progress
 * events of `work` (`import.progress`, else `work.progress`), when `stderr` is a terminal and the output not JSON.
 */
export async function withProgressBar<T>(
  client: Pick<LanvaultClient, "subscribe">, stderr: NodeJS.WritableStream & { isTTY?: boolean }, json: boolean | undefined,
  work: keyof typeof WORK_LABELS, call: () => Promise<T>,
): Promise<T> {
  const bars = stderr.isTTY === true && json !== true ? new ProgressBars(stderr) : undefined
  const ours = (event: EventParams) =>
    work === "import" ? event.type === "import.progress" : event.type === "work.progress" && event.work === work
  if (bars) {
    await client.subscribe([work === "import" ? "import.progress" : "work.progress"], (event) => {
      if (ours(event) && "done" in event) bars.update(WORK_LABELS[work], event.done, event.total)
    })
  }
  try {
    return await call()
  } finally {
    bars?.stop()
  }
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
