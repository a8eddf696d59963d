/**
 * Figure: a big Chrome CSV import on a fresh device (issue 18) — its time, the
 * daemon's peak RSS, the latency of a `status` called every 20 ms meanwhile
 * (from a second client), and the RSS 5 s after the `lock` that follows.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { setTimeout as sleep } from "node:timers/promises"
import { connect } from "../../../src/api/client.js"
import { check, type BenchContext } from "../context.js"
import { sampleMemory } from "./memory.js"
import { AFTER_LOCK_MS } from "./resting-memory.js"

/** Rows of the import: 50k in a full run, few in `--quick` (CI). */
const FULL_ROWS = 50_000
const QUICK_ROWS = 2_000
const STATUS_INTERVAL_MS = 20
const RSS_POLL_MS = 50
const IMPORT_TIMEOUT_MS = 600_000

/** Makes a device, imports a generated Chrome CSV of `rows` logins with a `status` poller beside it, locks, and retires the device. */
export async function measureBigImport(ctx: BenchContext): Promise<void> {
  const rows = ctx.config.mode === "quick" ? QUICK_ROWS : FULL_ROWS
  const device = await ctx.lab.device("importer")
  try {
    await device.init()
    await device.start()
    const locked = await sampleMemory(ctx, device)
    await device.unlock()
    const path = join(device.home, "chrome-passwords.csv")
    writeFileSync(path, chromeCsv(rows), { mode: 0o600 })
    ctx.progress(`import of ${rows} Chrome CSV rows with a status call every ${STATUS_INTERVAL_MS} ms`)
    const poller = await connect({ socketPath: device.daemon!.socketPath })
    const latencies: number[] = []
    const pending = new Set<Promise<unknown>>()
    const statusTimer = setInterval(() => {
      const started = performance.now()
      const call = poller.call("status", {}).then(() => latencies.push(performance.now() - started))
      pending.add(call)
      void call.finally(() => pending.delete(call))
    }, STATUS_INTERVAL_MS)
    let peak = device.memoryMiB().rss
    const rssTimer = setInterval(() => { peak = Math.max(peak, device.memoryMiB().rss) }, RSS_POLL_MS)
    const cpuBefore = device.cpuMs()
    const started = performance.now()
    let summary: { imported: number }
    try {
      summary = await device.api.call("import", { path, format: "chrome-csv" }, { timeoutMs: IMPORT_TIMEOUT_MS }) as { imported: number }
    } finally {
      clearInterval(statusTimer)
      clearInterval(rssTimer)
    }
    const ms = performance.now() - started
    const cpuMs = device.cpuMs() - cpuBefore
    await Promise.allSettled([...pending])
    poller.close()
    peak = Math.max(peak, device.memoryMiB().peak)
    check(summary.imported === rows, `the import creates ${rows} records (got ${summary.imported})`)
    check(await device.recordCount() === rows, `the vault holds ${rows} records after the import`)
    check(latencies.length > 0, "status was answered during the import")
    ctx.report.add("import.chrome.time", `import of ${rows} Chrome CSV rows (socket call)`, "ms", [ms], { cpuMs: [cpuMs] })
    ctx.report.add("import.chrome.peak-rss", `daemon peak RSS during the import of ${rows} rows`, "MiB", [peak], {
      note: "the larger of RSS polled every 50 ms and VmHWM (peak since the daemon started, unlocked empty before the import)",
    })
    ctx.report.add("import.chrome.status", `status every ${STATUS_INTERVAL_MS} ms during the import of ${rows} rows`, "ms", latencies, {
      note: `latency of each call from a second client; max ${Math.max(...latencies).toFixed(1)} ms`,
    })
    ctx.report.add("import.chrome.status.max", `status during the import of ${rows} rows: slowest answer`, "ms", [Math.max(...latencies)])
    await device.lock()
    await sleep(AFTER_LOCK_MS)
    const after = await sampleMemory(ctx, device)
    ctx.report.add("rss.importer.locked", "daemon RSS of the importing device, fresh, locked, before the import", "MiB", locked.rss)
    ctx.report.add("rss.after-import-lock", `daemon RSS ${AFTER_LOCK_MS / 1_000} s after lock, following the import of ${rows} rows`, "MiB", after.rss, {
      note: "goal: within 20 MiB of the importing device's locked figure before the import",
    })
  } finally {
    await ctx.lab.retire(device)
  }
}

/** A Chrome password export (`name,url,username,password,note`) of `rows` distinct logins. */
export function chromeCsv(rows: number): string {
  const lines = ["name,url,username,password,note"]
  for (let i = 0; i < rows; i++) {
    const host = `site${i}.example.com`
    const note = i % 10 === 0 ? `"recovery code ${i}, keep safe"` : ""
    lines.push(`${host},https://${host}/login,user${i}@mail.example,pw-${(i * 7_919).toString(36)}-${i},${note}`)
  }
  return `${lines.join("\n")}\n`
}
