import type { BenchConfig } from "./config.js"
import type { DeviceLab } from "./device-lab.js"
import type { Report } from "./report.js"

/** What every phase gets: the sizes, the devices, where figures go, and a progress line on stderr. */
export interface BenchContext {
  config: BenchConfig
  lab: DeviceLab
  report: Report
  progress: (message: string) => void
}

/** Throws when a correctness check fails: the bench exits non-zero, whatever the timings. */
export function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`)
}
