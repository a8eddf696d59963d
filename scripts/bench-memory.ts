/**
 * `npm run build && node --import tsx scripts/bench-memory.ts [--records N] [--reps N]`: what a
 * daemon costs at rest (issue 18), the bench's resting-memory phase alone — a fresh daemon's
 * spawn → socket answering, its RSS locked with an empty vault and with N records on disk, unlocked,
 * and 5 s after `lock` — repeated `--reps` times on the same vault (fresh process each), so a
 * before/after check takes a minute instead of a whole `npm run bench`.
 */
import { setTimeout as sleep } from "node:timers/promises"
import { SEED, configFor } from "./bench/config.js"
import { sampleMemory } from "./bench/phases/memory.js"
import { measureRestingMemory } from "./bench/phases/resting-memory.js"
import { RecordGenerator } from "./bench/record-generator.js"
import { createInBatches, option, scriptContext } from "./bench/script-options.js"

/** Start-up garbage settles before a locked reading (as the phase does). */
const SETTLE_MS = 1_000

async function main(argv: string[]): Promise<void> {
  const records = option(argv, "--records", 10_000)
  const reps = option(argv, "--reps", 3)
  const config = { ...configFor([]), records, rssSamples: 3 }
  const ctx = scriptContext(config)
  const { lab, report, progress } = ctx
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
    await createInBatches(alpha, generator, records)
    progress(`created ${records}`)
    await alpha.lock()
    for (let i = 0; i < reps; i++) await measureRestingMemory(ctx, alpha)
  } finally {
    await lab.cleanup()
  }
  console.log(report.table())
}

await main(process.argv.slice(2))
