/**
 * `npm run build && node --import tsx scripts/bench-memory.ts [--records N] [--reps N]`: what a
 * daemon costs at rest (issue 18), the bench's resting-memory phase alone — a fresh daemon's
 * spawn → socket answering, its RSS locked with an empty vault and with N records on disk, unlocked,
 * and 5 s after `lock` — repeated `--reps` times on the same vault (fresh process each), so a
 * before/after check takes a minute instead of a whole `npm run bench`.
 */
import { performance } from "node:perf_hooks"
import { setTimeout as sleep } from "node:timers/promises"
import { SEED, configFor } from "./bench/config.js"
import type { BenchContext } from "./bench/context.js"
import { DeviceLab } from "./bench/device-lab.js"
import { sampleMemory } from "./bench/phases/memory.js"
import { createAll } from "./bench/phases/put-and-list.js"
import { measureRestingMemory } from "./bench/phases/resting-memory.js"
import { RecordGenerator } from "./bench/record-generator.js"
import { Report } from "./bench/report.js"

const PUT_CONCURRENCY = 16
const CREATE_BATCH = 1_000
/** Start-up garbage settles before a locked reading (as the phase does). */
const SETTLE_MS = 1_000

function option(argv: string[], name: string, fallback: number): number {
  const index = argv.indexOf(name)
  return index >= 0 ? Number(argv[index + 1]) : fallback
}

async function main(argv: string[]): Promise<void> {
  const records = option(argv, "--records", 10_000)
  const reps = option(argv, "--reps", 3)
  const config = { ...configFor([]), records, rssSamples: 3 }
  const lab = new DeviceLab()
  const report = new Report()
  const started = performance.now()
  const progress = (message: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${message}\n`)
  const ctx: BenchContext = { config, lab, report, progress }
  try {
    const empty = await lab.device("empty")
    await empty.init()
    const startMs: number[] = []
    const emptyRss: number[] = []
    for (let i = 0; i < reps; i++) {
      startMs.push(await empty.start())
      await sleep(SETTLE_MS)
      emptyRss.push((await sampleMemory(ctx, empty)).rss.at(-1)!)
      await empty.stop()
    }
    report.add("start.empty", "daemon start: spawn → socket answers, empty vault", "ms", startMs)
    report.add("rss.locked.empty", "daemon RSS, fresh process, locked, empty vault", "MiB", emptyRss)
    const alpha = await lab.device("alpha")
    await alpha.init()
    await alpha.start()
    await alpha.unlock()
    const generator = new RecordGenerator(SEED)
    for (let done = 0; done < records; done += CREATE_BATCH) {
      await createAll(alpha, Array.from({ length: Math.min(CREATE_BATCH, records - done) }, () => generator.next()), PUT_CONCURRENCY)
    }
    progress(`created ${records}`)
    await alpha.lock()
    for (let i = 0; i < reps; i++) await measureRestingMemory(ctx, alpha)
  } finally {
    await lab.cleanup()
  }
  console.log(report.table())
}

await main(process.argv.slice(2))
