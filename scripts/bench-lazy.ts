/**
 * `npm run build && node --import tsx scripts/bench-lazy.ts [--records N] [--reps N] [--import] [--no-join] [--profile]`: the
 * figures of issue 18's "faster unlock and list" in one short run — unlock of N records in a fresh process
 * (snapshot on disk), daemon RSS locked and unlocked (fresh process), records.list of N, and join → all N
 * listed on a new device (the bench phase join-listed). A focused subset of `npm run bench` (same devices,
 * same phases' code) for quick before/after checks. `--profile`: instead of the join figure, CPU profiles
 * of a fresh unlock + list and one timed join with the new daemon's log (into /tmp/lazyb/prof). `--import`:
 * fill the vault with one import instead of records.create calls (≈ 10× faster at 100k; each bucket one change);
 * `--no-join`: leave out the join figure.
 */
import { performance } from "node:perf_hooks"
import { SEED, configFor } from "./bench/config.js"
import { measureJoinListed } from "./bench/phases/join-listed.js"
import { measureList } from "./bench/phases/put-and-list.js"
import { importRecords } from "./bench/bulk-fill.js"
import { sampleMemory } from "./bench/phases/memory.js"
import { RecordGenerator } from "./bench/record-generator.js"
import { formatProfile, summarizeProfile } from "./bench/cpu-profile-summary.js"
import { readdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { createInBatches, option, scriptContext } from "./bench/script-options.js"

const IMPORT_TIMEOUT_MS = 1_800_000

async function main(argv: string[]): Promise<void> {
  const records = option(argv, "--records", 10_000)
  const reps = option(argv, "--reps", 3)
  const config = { ...configFor([]), records, unlockReps: reps, firstSyncReps: reps, listWarmup: 3, listCalls: 10, rssSamples: 3 }
  const ctx = scriptContext(config)
  const { lab, report, progress } = ctx
  try {
    const alpha = await lab.device("alpha")
    await alpha.init()
    await alpha.start()
    await alpha.unlock()
    const generator = new RecordGenerator(SEED)
    if (argv.includes("--import")) await importRecords(alpha, Array.from({ length: records }, () => generator.next()), IMPORT_TIMEOUT_MS)
    else await createInBatches(alpha, generator, records)
    progress(`created ${records}`)
    await alpha.lock()
    const unlocks: number[] = []
    const cpu: number[] = []
    const locked: number[] = []
    for (let i = 0; i < reps; i++) {
      await alpha.kill()
      await alpha.start()
      locked.push((await sampleMemory(ctx, alpha)).rss.at(-1)!)
      const measured = await alpha.unlockMeasured()
      unlocks.push(measured.ms)
      cpu.push(measured.cpuMs)
      progress(`unlock after kill -9: ${Math.round(measured.ms)} ms (cpu ${measured.cpuMs})`)
    }
    report.add("rss.locked", `daemon RSS, fresh process, locked, ${records} records on disk`, "MiB", locked)
    report.add("unlock.after-kill", `unlock ${records} records, fresh process (snapshot)`, "ms", unlocks, { cpuMs: cpu })
    const memory = await sampleMemory(ctx, alpha)
    report.add("rss.fresh-unlock", `daemon RSS, fresh process unlocked with ${records}`, "MiB", memory.rss)
    await measureList(ctx, alpha)
    const after = await sampleMemory(ctx, alpha)
    report.add("rss.after-list", `daemon RSS after list, ${records}`, "MiB", after.rss)
    if (argv.includes("--profile")) {
      const dir = (name: string) => { const d = join("/tmp/lazyb/prof", name); rmSync(d, { recursive: true, force: true }); return d }
      const env = (name: string) => ({ NODE_OPTIONS: `--import ${join(process.cwd(), "scripts/bench/cpu-profile-hook.mjs")}`, LANVAULT_BENCH_PROFILE_DIR: dir(name) })
      await alpha.kill()
      await alpha.start([], env("unlock"))
      await alpha.unlockMeasured()
      await alpha.api.call("records.list", {})
      await alpha.stop()
      await alpha.start()
      await alpha.unlock()
      const lister = await lab.device("plister")
      await lister.joinThrough(alpha)
      const t0 = performance.now()
      const marks: string[] = []
      const mark = (what: string) => marks.push(`${what} ${Math.round(performance.now() - t0)}`)
      await lister.start([], { LANVAULT_LOG_LEVEL: "debug", ...(argv.includes("--profile-join") ? env("join") : {}) })
      mark("started")
      let polling = true
      const lags: number[] = []
      const poller = (async () => {
        while (polling) {
          const s0 = performance.now()
          await lister.api.call("status", {})
          lags.push(Math.round(performance.now() - s0))
          await sleep(20)
        }
      })()
      await lister.unlock()
      polling = false
      await poller
      mark(`unlocked (status during unlock: n=${lags.length} max=${Math.max(...lags)} ms, ${lags.slice(0, 60).join(" ")})`)
      let count = 0
      while ((count = await lister.recordCount()) < records) {
        await sleep(20)
        if (marks.length < 40) mark(`count=${count}`)
      }
      mark("count")
      await lister.api.call("records.list", {})
      mark("listed")
      progress(`profiled join → listed ${Math.round(performance.now() - t0)} ms: ${marks.join(", ")}`)
      const lines = lister.daemon!.output().split("\n").filter((l) => l.startsWith("{"))
      const first = lines.length > 0 ? JSON.parse(lines[0]).time : 0
      for (const line of lines) {
        const { time, msg, level: _l, pid: _p, name: _n, hostname: _h, ...rest } = JSON.parse(line)
        console.log(`  +${time - first} ms ${msg} ${JSON.stringify(rest).slice(0, 160)}`)
      }
      await lister.stop()
      for (const name of ["unlock", "join"]) {
        const d = join("/tmp/lazyb/prof", name)
        for (const f of readdirSync(d)) console.log(formatProfile(`${name} ${f}`, summarizeProfile(join(d, f), 25)))
      }
    } else if (!argv.includes("--no-join")) {
      await measureJoinListed(ctx, alpha)
    }
  } finally {
    await lab.cleanup()
  }
  console.log(report.table())
}

await main(process.argv.slice(2))
