/**
 * How far V8's young generation may grow, one setting for the whole process:
 * the daemon keeps it at its starting size while it rests (cli/daemon-heap.ts)
 * and lets it grow during an import's creation (vault/heap-release.ts). The
 * growth factor is read at each growth, so it can change at any time.
 */
import { setFlagsFromString } from "node:v8"

/**
 * At rest: semi-spaces stay at their starting 1 MiB. By default V8 doubles them
 * up to 16 MiB under a burst of allocation (start-up, an unlock, an import) and
 * an idle process keeps what they grew to: about 25 MiB of RSS a resting daemon
 * never gives back (`npm run bench`: resting-memory rows).
 */
export const RESTING_GROWTH_FACTOR = 1
/** During long work that makes much short-lived garbage (V8's default). */
export const LONG_WORK_GROWTH_FACTOR = 2

/** Sets the young generation's growth factor. */
export function setYoungGenerationGrowth(factor: number): void {
  setFlagsFromString(`--semi-space-growth-factor=${factor}`)
}
