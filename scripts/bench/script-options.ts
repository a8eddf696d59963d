/** What the side scripts (bench-lazy.ts, bench-memory.ts) share: their numeric options and how they fill a vault by creates. */
import { performance } from "node:perf_hooks"
import type { BenchDevice } from "./bench-device.js"
import type { BenchConfig } from "./config.js"
import type { BenchContext } from "./context.js"
import { DeviceLab } from "./device-lab.js"
import { createAll } from "./phases/put-and-list.js"
import type { RecordGenerator } from "./record-generator.js"
import { Report } from "./report.js"

/** records.create calls in flight at once, as the bench's put figure. */
const PUT_CONCURRENCY = 16
/** Records generated and created per round (keeps the generated inputs small). */
const CREATE_BATCH = 1_000

/** The number after `name` on the command line, or `fallback` without the option. */
export function option(argv: string[], name: string, fallback: number): number {
  const index = argv.indexOf(name)
  return index >= 0 ? Number(argv[index + 1]) : fallback
}

/** Creates `records` generated records on `device` by records.create calls, CREATE_BATCH at a time. */
export async function createInBatches(device: BenchDevice, generator: RecordGenerator, records: number): Promise<void> {
  for (let done = 0; done < records; done += CREATE_BATCH) {
    await createAll(device, Array.from({ length: Math.min(CREATE_BATCH, records - done) }, () => generator.next()), PUT_CONCURRENCY)
  }
}

/** A fresh lab and report for a side script, with progress lines on stderr timed from now. */
export function scriptContext(config: BenchConfig): BenchContext {
  const started = performance.now()
  const progress = (message: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${message}\n`)
  return { config, lab: new DeviceLab(), report: new Report(), progress }
}
