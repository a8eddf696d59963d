import type { Writable } from "node:stream"

/** Indent of a step's lines under its heading. */
const BODY_INDENT = "   "

/**
 * Prints the demo as a narrated transcript, live: numbered steps, the command
 * each device runs, and what happened, each line stamped with the time since
 * the demo started. Goes quiet once {@link silence}d (after Ctrl-C).
 */
export class Narrator {
  private readonly startedAt: number
  private steps = 0
  private quiet = false

  constructor(
    private readonly out: Writable,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now()
  }

  /** Milliseconds since the demo started. */
  get elapsedMs(): number {
    return this.now() - this.startedAt
  }

  /** Plain text without a time stamp (the introduction, the conclusion). */
  say(text: string): void {
    this.write(`${text}\n`)
  }

  /** Starts the next numbered step. */
  step(title: string): void {
    this.steps += 1
    this.write(`\n${this.stamp()} ${this.steps}. ${title}\n`)
  }

  /** A command `device` runs, as a person would type it. */
  command(device: string, args: readonly string[], comment?: string): void {
    this.line(`${formatPrompt(device)}${formatArgs(args)}${comment ? `   # ${comment}` : ""}`)
  }

  /** What happened, under the current step. */
  detail(text: string): void {
    this.line(`  ${text}`)
  }

  /** Prints nothing from now on. */
  silence(): void {
    this.quiet = true
  }

  private line(text: string): void {
    this.write(`${this.stamp()} ${BODY_INDENT}${text}\n`)
  }

  private stamp(): string {
    return formatStamp(this.elapsedMs)
  }

  private write(text: string): void {
    if (!this.quiet) this.out.write(text)
  }
}

/** `[ 1.2s]`: seconds since the start, one decimal, padded so lines align up to 99.9 s. */
export function formatStamp(elapsedMs: number): string {
  return `[${(Math.max(0, elapsedMs) / 1000).toFixed(1).padStart(4)}s]`
}

/** A latency for people: `3 ms`, `250 ms`, `1.3 s`. */
export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  return `${(ms / 1000).toFixed(1)} s`
}

/** `alpha $ `, padded so the commands of the three devices line up. */
export function formatPrompt(device: string): string {
  return `${device.padEnd(5)} $ `
}

/** `lanvault ARGS` as it would be typed, quoting what a shell would split. */
export function formatArgs(args: readonly string[]): string {
  return ["lanvault", ...args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ")
}
