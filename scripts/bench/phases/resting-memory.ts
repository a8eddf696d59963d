/**
 * Figure: what a daemon costs at rest (issue 18) — RSS of a fresh daemon,
 * locked with `records` on disk, then unlocked with them, then 5 s after a
 * lock; and lanvault's unlocked RSS ÷ automerge-repo's with the same records.
 */
import { setTimeout as sleep } from "node:timers/promises"
import type { BenchDevice } from "../bench-device.js"
import { check, type BenchContext } from "../context.js"
import { summarize } from "../stats.js"
import { sampleMemory } from "./memory.js"

/** Start-up garbage settles before the locked reading. */
const SETTLE_MS = 1_000
/** The "after lock" reading is taken this long after `lock` answered. */
export const AFTER_LOCK_MS = 5_000

/** Restarts `device` (its vault holds `records`) and reads its RSS locked, unlocked and after a lock; leaves it unlocked. */
export async function measureRestingMemory(ctx: BenchContext, device: BenchDevice): Promise<void> {
  const { records } = ctx.config
  ctx.progress(`resting memory with ${records} records`)
  await device.stop()
  const startMs = await device.start()
  ctx.report.add("start.records", `daemon start: spawn → socket answers, locked, ${records} records on disk`, "ms", [startMs])
  await sleep(SETTLE_MS)
  const locked = await sampleMemory(ctx, device)
  ctx.report.add("rss.locked.records", `daemon RSS, fresh process, locked, ${records} records on disk`, "MiB", locked.rss)
  await device.unlock()
  check(await device.recordCount() === records, `a fresh unlock loads ${records} records`)
  const unlocked = await sampleMemory(ctx, device)
  ctx.report.add("rss.unlocked.records", `daemon RSS, fresh process, unlocked, ${records} records`, "MiB", unlocked.rss)
  await device.lock()
  await sleep(AFTER_LOCK_MS)
  const after = await sampleMemory(ctx, device)
  ctx.report.add("rss.after-lock.records", `daemon RSS ${AFTER_LOCK_MS / 1_000} s after lock, ${records} records`, "MiB", after.rss, {
    note: `goal: within 20 MiB of the locked figure (${summarize(locked.rss).median.toFixed(1)} MiB here)`,
  })
  await device.unlock()
}

/** lanvault's unlocked RSS ÷ automerge-repo's (64 bucket documents) with the same records, from figures already in the report. */
export function addMemoryRatio(ctx: BenchContext): void {
  const lanvault = ctx.report.figures.find((f) => f.key === "rss.unlocked.records")
  const automerge = ctx.report.figures.find((f) => f.key === "am.buckets.rss")
  if (!lanvault || !automerge) return
  ctx.report.add("ratio.buckets.rss", "ratio lanvault ÷ automerge-repo (64 bucket documents): RSS holding the records", "×", [lanvault.median / automerge.median], {
    note: `lanvault: fresh daemon unlocked (${lanvault.median.toFixed(1)} MiB); automerge-repo: peer B after its first sync (${automerge.median.toFixed(1)} MiB); below 1 = lanvault smaller`,
  })
}
