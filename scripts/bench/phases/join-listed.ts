/**
 * Figure: what a person sees on a new device — join → every record listed. A
 * new device pairs with A (not timed), then the clock starts as its daemon is
 * spawned; `unlock` is sent as soon as its socket answers (the first sync runs
 * meanwhile: snapshot first, then the log tail) and the clock stops when
 * `records.list` returns every record. Beside it, a ratio to automerge-repo's
 * first sync until B's document(s) hold every record (join → materialized).
 */
import { performance } from "node:perf_hooks"
import { setTimeout as sleep } from "node:timers/promises"
import type { BenchDevice } from "../bench-device.js"
import { SYNC_POLL_MS } from "../config.js"
import { check, type BenchContext } from "../context.js"

interface JoinSample {
  listedMs: number
  /** The new daemon's CPU from spawn to listed (start, sync, unlock, list). */
  cpuMs: number
  /** Spawn → socket answers, included in listedMs. */
  startMs: number
}

/** Joins `config.firstSyncReps` devices one after another, each timed from daemon spawn to all records listed. */
export async function measureJoinListed(ctx: BenchContext, host: BenchDevice): Promise<void> {
  const { firstSyncReps, records } = ctx.config
  const samples: JoinSample[] = []
  for (let r = 0; r < firstSyncReps; r++) {
    const device = await ctx.lab.device(`lister${r + 1}`)
    await device.joinThrough(host)
    samples.push(await joinAndList(ctx, device))
    ctx.progress(`join → ${records} listed ${r + 1}/${firstSyncReps}: ${Math.round(samples[r].listedMs)} ms (daemon CPU ${samples[r].cpuMs} ms)`)
    await ctx.lab.retire(device)
  }
  ctx.report.add("join.listed", `new device: join → all ${records} records listed`, "ms", samples.map((s) => s.listedMs), {
    note: `from spawning the new daemon (its start ≈ ${Math.round(median(samples.map((s) => s.startMs)))} ms included) until records.list returns every record; ` +
      `unlock sent as soon as the socket answers, the first sync running meanwhile; status polled every ${SYNC_POLL_MS} ms`,
    cpuMs: samples.map((s) => s.cpuMs),
  })
}

async function joinAndList(ctx: BenchContext, device: BenchDevice): Promise<JoinSample> {
  const started = performance.now()
  const startMs = await device.start()
  await device.unlock()
  const deadline = started + ctx.config.syncTimeoutMs
  while ((await device.recordCount()) < ctx.config.records) {
    if (performance.now() > deadline) throw new Error(`the new device did not list ${ctx.config.records} records within ${ctx.config.syncTimeoutMs} ms`)
    await sleep(SYNC_POLL_MS)
  }
  const listed = await device.api.call("records.list", {})
  const listedMs = performance.now() - started
  check(listed.length === ctx.config.records, `the new device lists ${ctx.config.records} records`)
  return { listedMs, cpuMs: device.cpuMs(), startMs }
}

/** lanvault's join → listed ÷ automerge-repo's join → materialized document, per variant measured. */
export function addJoinRatios(ctx: BenchContext, variants: ReadonlyArray<{ key: string; label: string }>): void {
  const lanvault = ctx.report.figures.find((f) => f.key === "join.listed")
  for (const variant of variants) {
    const automerge = ctx.report.figures.find((f) => f.key === `am.${variant.key}.first-sync`)
    if (!lanvault || !automerge) continue
    ctx.report.add(`ratio.${variant.key}.join-listed`, `ratio lanvault join → listed ÷ automerge-repo (${variant.label}) join → materialized`, "×",
      [lanvault.median / automerge.median], { note: "medians; below 1 = lanvault faster; lanvault's includes its daemon's start and unlock (KDF), automerge-repo's neither" })
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}
