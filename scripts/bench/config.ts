/** Sizes of a full run, of `--quick` (CI: well under a minute, no assertion on timings) and of `--large`. */

export interface BenchConfig {
  mode: "full" | "quick" | "large"
  /** Records created on device A; every later figure works on this vault. */
  records: number
  /** records.create calls timed together; the first batch is the warm-up. */
  putBatch: number
  /** records.create calls in flight at once from one client. */
  putConcurrency: number
  listWarmup: number
  listCalls: number
  /** Repetitions of each unlock figure (after a lock, after kill -9, full replay). */
  unlockReps: number
  /** Devices joined one after another to time the first sync. */
  firstSyncReps: number
  editWarmup: number
  edits: number
  /** RSS readings, one per RSS_SAMPLE_INTERVAL_MS. */
  rssSamples: number
  /** Reconnects (B stopped, one edit on A, B started) timed per vault size. */
  reconnectReps: number
  /** Vault sizes of the reconnect figure besides `records` (each on a separate pair of devices). */
  reconnectSizes: number[]
  /** Run the automerge-repo baseline (with `records` records) in the same run. */
  automerge: boolean
  /** Runs of the discovery figure on netns hosts (≈ 4 s each; skipped without root). */
  discoveryRuns: number
}

export const SEED = 0x1a5e_ed01
export const RSS_SAMPLE_INTERVAL_MS = 200
/** Poll interval while waiting for a first sync: the resolution of that figure. */
export const SYNC_POLL_MS = 20
/** An edit whose event has not reached B by then counts as broken. */
export const EDIT_EVENT_TIMEOUT_MS = 10_000
/** A first sync that has not finished by then counts as broken. */
export const FIRST_SYNC_TIMEOUT_MS = 300_000

const FULL: BenchConfig = {
  mode: "full", records: 10_000, putBatch: 1_000, putConcurrency: 16, listWarmup: 3, listCalls: 20,
  unlockReps: 5, firstSyncReps: 3, editWarmup: 50, edits: 500, rssSamples: 5,
  reconnectReps: 5, reconnectSizes: [1_000], automerge: true, discoveryRuns: 10,
}

const QUICK: BenchConfig = {
  mode: "quick", records: 300, putBatch: 100, putConcurrency: 16, listWarmup: 2, listCalls: 5,
  unlockReps: 2, firstSyncReps: 1, editWarmup: 10, edits: 50, rssSamples: 2,
  reconnectReps: 2, reconnectSizes: [100], automerge: true, discoveryRuns: 2,
}

/**
 * `--large`: a 100k-record vault (first sync, RSS, reconnect at 100k beside 1k
 * and 10k). Minutes; no automerge-repo baseline (at 10k it already takes ~35 s
 * just to create the records one change each).
 */
const LARGE: BenchConfig = {
  ...FULL, mode: "large", records: 100_000, putBatch: 10_000, listCalls: 5, unlockReps: 2, firstSyncReps: 1, rssSamples: 3,
  reconnectReps: 3, reconnectSizes: [1_000, 10_000], automerge: false,
}

export function configFor(argv: readonly string[]): BenchConfig {
  if (argv.includes("--quick")) return QUICK
  return argv.includes("--large") ? LARGE : FULL
}
