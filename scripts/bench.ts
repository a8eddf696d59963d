/**
 * `npm run bench [-- --quick]`: figures of real `lanvault daemon`
 * processes on loopback — put throughput and list over the socket, daemon RSS,
 * unlock (after a lock, after kill -9, full replay), first sync to a new device,
 * and edit → event latency between two paired devices. Prints one table and
 * writes bench/results.json. Exits 0 when every phase ran and every correctness
 * check held (timings are never asserted), 1 otherwise.
 *
 * Then the reconnect figure (one new edit when N entries are in sync) at more
 * sizes, the automerge-repo baseline with the same records (child processes
 * running scripts/bench/automerge-repo-peer.ts), the ratios lanvault ÷
 * automerge-repo, and the discovery figure on two netns hosts with real mDNS
 * (scripts/bench-discovery.ts; as root with `ip netns`, else "skipped: needs root").
 *
 * `--quick`: small sizes for CI (≈ 40 s). `--large`: a 100k-record vault (filled by one import; the
 * automerge-repo baseline with 64 bucket documents only). `--records N`: another vault size. After the
 * table, every row of issue 18's table with its goal (the other mode's rows from its last run,
 * bench/results-<mode>.json). `--only edit,import` runs only those phases (and what they need: A's fill, a joined
 * device); such a run never stands for its mode. To see where a slow figure's time goes, run scripts/bench-profile.ts.
 */
import { performance } from "node:perf_hooks"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { configFor, runs, SEED, type BenchConfig, type BenchPhase } from "./bench/config.js"
import { type BenchContext } from "./bench/context.js"
import { DeviceLab } from "./bench/device-lab.js"
import { describeMachine, loadAverage1m } from "./bench/machine.js"
import { measureDiscovery } from "./bench/phases/discovery.js"
import { measureEditLatency } from "./bench/phases/edit-latency.js"
import { measureFirstSync } from "./bench/phases/first-sync.js"
import { addJoinRatios, measureJoinListed } from "./bench/phases/join-listed.js"
import { addRatios, AUTOMERGE_VARIANTS, AutomergePeers, measureAutomergeRepo } from "./bench/phases/automerge-repo.js"
import { measureMemory } from "./bench/phases/memory.js"
import { addMemoryRatio, measureRestingMemory } from "./bench/phases/resting-memory.js"
import { measureBigImport } from "./bench/phases/big-import.js"
import { measureImportFill } from "./bench/bulk-fill.js"
import { measureReconnect, measureReconnectAt } from "./bench/phases/reconnect.js"
import { measureList, measurePut } from "./bench/phases/put-and-list.js"
import { measureEmptyUnlock, measureUnlockAfterKill, measureUnlockAfterLock } from "./bench/phases/unlock.js"
import { RecordGenerator } from "./bench/record-generator.js"
import { Report, writeResults, type Results } from "./bench/report.js"
import { atIssueSize, issueTable, modeResultsPath } from "./bench/summary.js"

const RESULTS_PATH = fileURLToPath(new URL("../bench/results.json", import.meta.url))
const MS_PER_S = 1_000
const EXIT_INTERRUPTED = 130
/** A 1-minute load average above this share of the cpus before the run means other work competed for them. */
const BUSY_LOAD_PER_CPU = 0.5

/** Every phase in order; they share device A (and its vault) from the first to the last. */
async function runPhases(ctx: BenchContext): Promise<void> {
  const { config } = ctx
  const { records } = config
  const generator = new RecordGenerator(SEED)
  const alpha = await ctx.lab.device("alpha")
  await alpha.init()
  await alpha.start()
  if (runs(config, "memory")) await measureMemory(ctx, alpha, "locked", "locked, empty vault")
  ctx.progress("unlock of an empty vault")
  await measureEmptyUnlock(ctx, alpha)
  const ids = config.fill === "import" ? await measureImportFill(ctx, alpha, generator) : await measurePut(ctx, alpha, generator)
  if (runs(config, "list")) await measureList(ctx, alpha)
  if (runs(config, "memory")) await measureMemory(ctx, alpha, "after-create", `unlocked, ${records} records (just ${config.fill === "import" ? "imported" : "created"})`, true)
  if (runs(config, "unlock")) {
    ctx.progress("unlock after lock")
    await measureUnlockAfterLock(ctx, alpha, ids[0])
    await measureUnlockAfterKill(ctx, alpha)
  }
  if (runs(config, "memory")) await measureRestingMemory(ctx, alpha)
  else if (["join", "edit", "reconnect"].some((phase) => runs(config, phase as BenchPhase))) {
    // As after the resting-memory phase's lock: A's snapshot covers its vault (a device joins from it, not by a replay).
    await alpha.lock()
    await alpha.unlock()
  }
  if (runs(config, "edit") || runs(config, "reconnect")) {
    const joined = await measureFirstSync(ctx, alpha)
    if (runs(config, "join")) await measureJoinListed(ctx, alpha)
    if (runs(config, "edit")) {
      ctx.progress("edit latency")
      await measureEditLatency(ctx, alpha, joined, ids, generator)
    }
    if (runs(config, "reconnect")) {
      const entries = await alpha.ownHead()
      ctx.progress(`reconnect at ${entries} entries`)
      await measureReconnect(ctx, alpha, joined, ids, generator, entries)
    }
    await ctx.lab.retire(joined.device)
  } else if (runs(config, "join")) await measureJoinListed(ctx, alpha)
  await ctx.lab.retire(alpha)
  if (config.bigImport && runs(config, "import")) await measureBigImport(ctx)
  if (runs(config, "reconnect")) for (const size of config.reconnectSizes) await measureReconnectAt(ctx, size)
  if (config.automerge && runs(config, "automerge")) {
    for (const variant of AUTOMERGE_VARIANTS.filter((v) => config.automergeVariants.includes(v.key))) {
      const peers = new AutomergePeers()
      try {
        await measureAutomergeRepo(ctx, peers, variant, new RecordGenerator(SEED))
      } finally {
        await peers.cleanup()
      }
    }
    addRatios(ctx, AUTOMERGE_VARIANTS)
    addMemoryRatio(ctx)
    addJoinRatios(ctx, AUTOMERGE_VARIANTS)
  }
  if (config.discoveryRuns > 0 && runs(config, "discovery")) await measureDiscovery(ctx)
}

async function main(argv: string[]): Promise<number> {
  const config = configFor(argv)
  const lab = new DeviceLab()
  const report = new Report()
  const started = performance.now()
  const loadAtStart = loadAverage1m()
  const progress = (message: string) => process.stderr.write(`[${((performance.now() - started) / MS_PER_S).toFixed(1)} s] ${message}\n`)
  process.once("SIGINT", () => void lab.cleanup().finally(() => process.exit(EXIT_INTERRUPTED)))
  let error: unknown
  try {
    progress(`lanvault bench, ${config.mode}: ${config.records} records, ${config.edits} edits`)
    await runPhases({ config, lab, report, progress })
  } catch (caught) {
    error = caught
  } finally {
    await lab.cleanup()
  }
  return finish(config, report, started, loadAtStart, error)
}

function finish(config: BenchConfig, report: Report, started: number, loadAtStart: number, error: unknown): number {
  const machine = { ...describeMachine(), loadAverage: { start: loadAtStart, end: loadAverage1m() } }
  const durationS = (performance.now() - started) / MS_PER_S
  console.log(`\nlanvault bench (${config.mode}) — ${machine.nproc} cpus (${machine.cpuModel}), ${machine.totalMemoryMiB} MiB, node ${machine.node}, ${machine.platform}, commit ${machine.lanvaultCommit ?? "?"}\n`)
  console.log(report.table())
  if (loadAtStart > BUSY_LOAD_PER_CPU * machine.nproc) {
    console.log(`\nWARNING: the machine was busy before the run (load average ${loadAtStart.toFixed(1)} on ${machine.nproc} cpus): wall times are noisy; compare the daemon CPU column`)
  }
  const { mode, only, ...sizes } = config
  const results: Results = {
    machine, mode, sizes: { ...sizes, ...(only ? { only: [...only] } : {}) }, startedAt: new Date(Date.now() - durationS * MS_PER_S).toISOString(), durationS, ok: error === undefined,
    ...(error === undefined ? {} : { error: String(error instanceof Error ? (error.stack ?? error.message) : error) }),
    figures: report.figures, skipped: report.skipped,
  }
  writeResults(RESULTS_PATH, results)
  // A whole run also stands for its mode: the issue table of a later run of the other mode quotes it.
  if (error === undefined && config.only === undefined && atIssueSize(results)) writeResults(modeResultsPath(dirname(RESULTS_PATH), mode), results)
  console.log(`\n${issueTable(results, dirname(RESULTS_PATH))}`)
  console.log(`\nran in ${durationS.toFixed(1)} s (load average ${loadAtStart.toFixed(1)} at the start, ${machine.loadAverage.end.toFixed(1)} at the end); results in ${RESULTS_PATH}`)
  if (error === undefined) return 0
  console.error(`\nbench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  return 1
}

process.exitCode = await main(process.argv.slice(2))
