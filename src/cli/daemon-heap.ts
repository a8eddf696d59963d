import { subscribe } from "node:diagnostics_channel"
import { setFlagsFromString } from "node:v8"
import type { Worker } from "node:worker_threads"
import { RESTING_GROWTH_FACTOR, setYoungGenerationGrowth } from "../young-generation.js"

/**
 * Start-up runs some code hot enough for Turbofan (module loading, pino, the
 * schema checks) once: optimizing it left ≈ 9 MiB of code and compiler memory a
 * locked daemon kept all day. So the daemon starts without the optimizing
 * compiler and turns it back on once it answers (run-daemon.ts): from then on
 * only code that work makes hot is optimized.
 */
const START_WITHOUT_OPTIMIZER = "--no-opt"

/** Whether `argv` (without node and the script) runs the daemon: its first word that is not an option or --home's value. */
export function runsDaemon(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--home") i++
    else if (!argv[i].startsWith("-")) return argv[i] === "daemon"
  }
  return false
}

/** Called first thing by the bin when {@link runsDaemon}: the heap settings of a long-running daemon. */
export function useDaemonHeap(): void {
  keepYoungGenerationSmall()
  // A worker thread's start sets V8's flags back (measured, Node 20: after an import's
  // parse worker the daemon's young generation grew to 32 MiB, kept after the lock): set it again.
  subscribe("worker_threads", (message) => (message as { worker: Worker }).worker.once("online", keepYoungGenerationSmall))
  setFlagsFromString(START_WITHOUT_OPTIMIZER)
}

/**
 * Keeps the young generation at its starting size (young-generation.ts).
 * `--max-semi-space-size` is read only when V8 starts (a service file can pass
 * it, a plain `lanvault daemon` cannot); the growth factor, set before the
 * daemon's modules load, does the same.
 */
function keepYoungGenerationSmall(): void {
  setYoungGenerationGrowth(RESTING_GROWTH_FACTOR)
}
