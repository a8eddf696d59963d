/** Figure 2: the daemon's resident memory (VmRSS) and its peak so far (VmHWM), from /proc. */
import { setTimeout as sleep } from "node:timers/promises"
import type { BenchDevice } from "../bench-device.js"
import { RSS_SAMPLE_INTERVAL_MS } from "../config.js"
import type { BenchContext } from "../context.js"

/** Reads RSS `config.rssSamples` times, a little apart; returns the readings and the last peak. */
export async function sampleMemory(ctx: BenchContext, device: BenchDevice): Promise<{ rss: number[]; peak: number }> {
  const rss: number[] = []
  let peak = 0
  for (let i = 0; i < ctx.config.rssSamples; i++) {
    if (i > 0) await sleep(RSS_SAMPLE_INTERVAL_MS)
    const memory = device.memoryMiB()
    rss.push(memory.rss)
    peak = memory.peak
  }
  return { rss, peak }
}

/** RSS of `device`'s daemon now, as a figure; with `withPeak`, its peak RSS since start too. */
export async function measureMemory(ctx: BenchContext, device: BenchDevice, key: string, label: string, withPeak = false): Promise<void> {
  const { rss, peak } = await sampleMemory(ctx, device)
  ctx.report.add(`rss.${key}`, `daemon RSS, ${label}`, "MiB", rss)
  if (withPeak) ctx.report.add(`rss.${key}.peak`, `daemon peak RSS (VmHWM), ${label}`, "MiB", [peak])
}
