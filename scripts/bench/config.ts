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
  /**
   * Edits before the timed ones. The timed edits are a busy vault's steady state: by then the buckets they touch
   * are loaded on both devices and V8 has compiled the code they run (see phases/edit-latency.ts: with 50, the
   * timed edits loaded most buckets and the GC helper thread spent 65% of its time compiling Automerge's wasm).
   */
  editWarmup: number
  edits: number
  /** RSS readings, one per RSS_SAMPLE_INTERVAL_MS. */
  rssSamples: number
  /** Reconnects (B stopped, one edit on A, B started) timed per vault size. */
  reconnectReps: number
  /** Vault sizes of the reconnect figure besides `records` (each on a separate pair of devices). */
  reconnectSizes: number[]
  /** How A's vault is filled: records.create calls (timed: the put figure) or one `import` of them (`--large`: ≈ 10× faster at 100k). */
  fill: "create" | "import"
  /** Run the automerge-repo baseline (with `records` records) in the same run. */
  automerge: boolean
  /** Keys of the automerge-repo variants run (AUTOMERGE_VARIANTS). */
  automergeVariants: string[]
  /** Records per automerge-repo change while A creates them (1: one change each, like a person adding them). */
  automergeCreateBatch: number
  /** Run the big Chrome CSV import figure (a 10k-run figure; `--large` leaves it out). */
  bigImport: boolean
  /** A first sync, a join → listed or an import that has not finished by then counts as broken. */
  syncTimeoutMs: number
  /** Runs of the discovery figure on netns hosts (≈ 4 s each; skipped without root). */
  discoveryRuns: number
  /** `--only`: the phases run (A's fill always runs); undefined: all of them. */
  only?: ReadonlySet<BenchPhase>
}

/** Phases `--only` can pick (`--only edit,import`); a phase runs what it needs first (edit: A's fill and a joined device). */
export const BENCH_PHASES = ["memory", "list", "unlock", "join", "edit", "reconnect", "import", "automerge", "discovery"] as const
export type BenchPhase = (typeof BENCH_PHASES)[number]

/** Whether `config` runs `phase`. */
export function runs(config: BenchConfig, phase: BenchPhase): boolean {
  return config.only === undefined || config.only.has(phase)
}

export const SEED = 0x1a5e_ed01
export const RSS_SAMPLE_INTERVAL_MS = 200
/** Poll interval while waiting for a first sync: the resolution of that figure. */
export const SYNC_POLL_MS = 20
/** An edit whose event has not reached B by then counts as broken. */
export const EDIT_EVENT_TIMEOUT_MS = 10_000
/** A first sync that has not finished by then counts as broken (`syncTimeoutMs` of full and quick runs). */
export const FIRST_SYNC_TIMEOUT_MS = 300_000

const FULL: BenchConfig = {
  mode: "full", records: 10_000, putBatch: 1_000, putConcurrency: 16, listWarmup: 3, listCalls: 20,
  unlockReps: 5, firstSyncReps: 3, editWarmup: 1_000, edits: 500, rssSamples: 5,
  reconnectReps: 5, reconnectSizes: [1_000], fill: "create", automerge: true, automergeVariants: ["one-doc", "buckets"], automergeCreateBatch: 1,
  bigImport: true, syncTimeoutMs: FIRST_SYNC_TIMEOUT_MS, discoveryRuns: 10,
}

const QUICK: BenchConfig = {
  mode: "quick", records: 300, putBatch: 100, putConcurrency: 16, listWarmup: 2, listCalls: 5,
  unlockReps: 2, firstSyncReps: 1, editWarmup: 10, edits: 50, rssSamples: 2,
  reconnectReps: 2, reconnectSizes: [100], fill: "create", automerge: true, automergeVariants: ["one-doc", "buckets"], automergeCreateBatch: 1,
  bigImport: true, syncTimeoutMs: FIRST_SYNC_TIMEOUT_MS, discoveryRuns: 2,
}

/**
 * `--large`: a 100k-record vault (the 100k rows: edit → event, join →
 * listed, unlock, RSS, list; reconnect at 100k beside 1k). Filled by one import;
 * automerge-repo only with 64 bucket documents, A creating 100 records per change
 * (one change each would take most of an hour; one document at 100k, longer).
 * No big import or discovery figure (those are the full run's). Tens of minutes.
 */
const LARGE: BenchConfig = {
  ...FULL, mode: "large", records: 100_000, putBatch: 10_000, listCalls: 5, unlockReps: 2, firstSyncReps: 1, rssSamples: 3,
  reconnectReps: 3, reconnectSizes: [1_000], fill: "import", automerge: true, automergeVariants: ["buckets"], automergeCreateBatch: 100,
  bigImport: false, syncTimeoutMs: 1_800_000, discoveryRuns: 0,
}

/**
 * The mode's sizes; `--records N` sets another vault size (to try a mode's phases quickly, or a size between);
 * `--no-automerge` leaves the automerge-repo baseline out (at 100k its creates alone take most of half an hour).
 */
export function configFor(argv: readonly string[]): BenchConfig {
  const mode = argv.includes("--quick") ? QUICK : argv.includes("--large") ? LARGE : FULL
  const only = onlyPhases(argv)
  const config = { ...mode, ...(argv.includes("--no-automerge") ? { automerge: false } : {}), ...(only ? { only } : {}) }
  const at = argv.indexOf("--records")
  if (at < 0) return config
  const records = Number(argv[at + 1])
  if (!Number.isSafeInteger(records) || records < 1) throw new Error("--records takes a positive whole number")
  return { ...config, records, putBatch: Math.min(config.putBatch, records) }
}

/** `--only a,b`: the phases named (each one of BENCH_PHASES). */
function onlyPhases(argv: readonly string[]): ReadonlySet<BenchPhase> | undefined {
  const at = argv.indexOf("--only")
  if (at < 0) return undefined
  const names = (argv[at + 1] ?? "").split(",").filter((name) => name !== "")
  const unknown = names.filter((name) => !(BENCH_PHASES as readonly string[]).includes(name))
  if (names.length === 0 || unknown.length > 0) throw new Error(`--only takes phases separated by commas, of: ${BENCH_PHASES.join(", ")}`)
  return new Set(names as BenchPhase[])
}
