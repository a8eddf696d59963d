/**
 * Discovery benchmark (issue 4's report figure, issue 6's discovery row, target ≤ 2 s):
 * on two network-namespace hosts with real mDNS, the time from both daemons being
 * spawned to the first new record synced, plus its parts (socket up, unlock,
 * peer link up). Each run makes fresh hosts and homes; see
 * scripts/bench-discovery/run-once.ts for what is and is not timed.
 *
 *   npm run build && node --import tsx scripts/bench-discovery.ts [--runs N] [--quick]
 *       [--log-level debug] [--trace] [--keep-logs] [--reuse-hosts]
 *
 * --quick        3 runs (default 10)
 * --log-level L  LANVAULT_LOG_LEVEL of the timed daemons (default info)
 * --trace        tcpdump (passive, inside host 1's namespace) of mDNS and TCP 47110:
 *                per-run packet timeline in the output and the JSON
 * --keep-logs    write the timed daemons' logs to bench/discovery-logs/
 * --reuse-hosts  one pair of hosts for all runs (fresh homes per run)
 * --bin PATH     run the timed daemons from another build's bin/lanvault.js (to try a
 *                change to a constant without touching this checkout)
 *
 * Needs root (network namespaces) and a built dist/. Writes bench/discovery.json.
 * Hosts and homes are always removed, also on Ctrl-C.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { createHosts, type TestHosts } from "../test/hosts/netns.js"
import { benchRun, type RunResult } from "./bench-discovery/run-once.js"
import { spread, type Spread } from "./bench-discovery/stats.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const RESULTS_PATH = join(ROOT, "bench", "discovery.json")
const LOGS_DIR = join(ROOT, "bench", "discovery-logs")
const TARGET_MS = 2_000
const EXIT_INTERRUPTED = 130
/** A 1-minute load average above the cpu count (this benchmark alone stays below it) means other work competed with the daemons. */
const BUSY_LOAD_PER_CPU = 1

interface Args {
  runs: number
  logLevel: string
  trace: boolean
  keepLogs: boolean
  reuseHosts: boolean
  bin?: string
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 10, logLevel: "info", trace: false, keepLogs: false, reuseHosts: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === "--quick") args.runs = 3
    else if (arg === "--runs") args.runs = Number(argv[++i])
    else if (arg.startsWith("--runs=")) args.runs = Number(arg.slice(7))
    else if (arg === "--log-level") args.logLevel = argv[++i]
    else if (arg === "--trace") args.trace = true
    else if (arg === "--keep-logs") args.keepLogs = true
    else if (arg === "--reuse-hosts") args.reuseHosts = true
    else if (arg === "--bin") args.bin = resolve(argv[++i])
    else if (arg === "--help" || arg === "-h") {
      console.log("usage: node --import tsx scripts/bench-discovery.ts [--runs N] [--quick] [--log-level L] [--trace] [--keep-logs] [--reuse-hosts] [--bin PATH]")
      process.exit(0)
    } else {
      console.error(`unknown argument: ${arg}`)
      process.exit(2)
    }
  }
  if (!Number.isInteger(args.runs) || args.runs < 1) {
    console.error("--runs takes a positive integer")
    process.exit(2)
  }
  return args
}

/** Temp homes of the current run, removed on Ctrl-C (the hosts clean themselves up on exit and signals). */
const liveHomes = new Set<string>()

function onInterrupt(signal: NodeJS.Signals): void {
  for (const home of liveHomes) rmSync(home, { recursive: true, force: true })
  console.error(`\ninterrupted (${signal}): hosts and homes removed`)
  // createHosts' exit hook kills what runs in the namespaces and deletes them.
  process.exit(EXIT_INTERRUPTED)
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  process.once("SIGINT", onInterrupt)
  process.once("SIGTERM", onInterrupt)
  const results: RunResult[] = []
  let shared: TestHosts | undefined
  const startedAt = new Date().toISOString()
  console.error(`discovery benchmark: ${args.runs} runs on 2 netns hosts (${args.reuseHosts ? "one pair of hosts, fresh homes per run" : "fresh hosts and homes per run"}), log level ${args.logLevel}${args.trace ? ", packet trace" : ""}${args.bin ? `, timed daemons from ${args.bin}` : ""}`)
  try {
    for (let run = 1; run <= args.runs; run++) {
      let hosts: TestHosts | undefined
      try {
        hosts = shared ?? (await createHosts(2))
        if (args.reuseHosts) shared = hosts
        const result = await benchRun(hosts.hosts, { logLevel: args.logLevel, trace: args.trace, bin: args.bin, track: (home) => liveHomes.add(home) })
        results.push(result)
        console.error(progressLine(run, args.runs, result))
        if (args.trace && result.packets) console.error(timeline(result))
        if (args.keepLogs && result.logs) {
          mkdirSync(LOGS_DIR, { recursive: true })
          writeFileSync(join(LOGS_DIR, `run-${run}-h1.log`), result.logs.h1)
          writeFileSync(join(LOGS_DIR, `run-${run}-h2.log`), result.logs.h2)
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        console.error(`run ${run}/${args.runs}: setup failed: ${message}`)
        results.push({ ok: false, error: `setup: ${message}`, spawnSkew: 0, h1: emptySide(), h2: emptySide(), scrubbed: { h1: {}, h2: {} } })
      } finally {
        if (!shared) await hosts?.cleanup()
        liveHomes.clear()
      }
    }
  } finally {
    await shared?.cleanup()
  }
  const loadAfter = loadavg()[0]
  const rows = tableRows(results)
  printTable(rows, results, args)
  mkdirSync(dirname(RESULTS_PATH), { recursive: true })
  writeFileSync(
    RESULTS_PATH,
    `${JSON.stringify(
      {
        benchmark: "discovery: both daemons spawned → first new record synced (2 netns hosts, mDNS only)",
        startedAt,
        machine: { node: process.version, nproc: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), loadAfter },
        options: args,
        targetMs: TARGET_MS,
        summary: Object.fromEntries(rows.map((r) => [r.key, r.spread ?? null])),
        runs: results.map(({ logs: _logs, ...rest }) => rest),
      },
      (_key, value: unknown) => (typeof value === "number" && !Number.isInteger(value) ? Math.round(value * 10) / 10 : value),
      2,
    )}\n`,
  )
  console.log(`\nwritten: ${RESULTS_PATH}`)
  if (results.some((r) => !r.ok)) process.exitCode = 1
}

function emptySide(): RunResult["h1"] {
  return { log: { dialFailures: 0, refusals: 0 } }
}

interface Row {
  key: string
  label: string
  spread: Spread | undefined
}

function tableRows(results: readonly RunResult[]): Row[] {
  const ok = results.filter((r) => r.ok)
  const row = (key: string, label: string, pick: (r: RunResult) => number | undefined): Row => ({ key, label, spread: spread(ok.map(pick)) })
  const first = (r: RunResult, kind: string, from: string) => r.packets?.find((p) => p.kind === kind && p.from === from)?.at
  const rows = [
    row("spawnToSynced", "both daemons spawned → record.changed on h2 (FIGURE)", (r) => r.synced),
    row("h1SpawnToSocket", "h1 spawn → socket answers", (r) => r.h1.socket),
    row("h2SpawnToSocket", "h2 spawn → socket answers", (r) => r.h2.socket),
    row("h1Unlock", "h1 unlock call (KDF + load)", (r) => r.h1.unlock),
    row("h2Unlock", "h2 unlock call (KDF + load)", (r) => r.h2.unlock),
    row("spawnToH1Unlocked", "spawn → h1 unlocked", (r) => r.h1.unlocked),
    row("spawnToCreated", "spawn → new record created on h1", (r) => r.created),
    row("spawnToLinkUpH2", "spawn → peer link up (h2 status/event)", (r) => r.h2.linkUp),
    row("spawnToLinkUpH1", "spawn → peer link up (h1 status/event)", (r) => r.h1.linkUp),
    row("createdToSynced", "record created on h1 → record.changed on h2", (r) => r.createToSynced),
    row("logMdnsStartedH1", "spawn → h1 log 'mDNS discovery started'", (r) => r.h1.log.mdnsStarted),
    row("logMdnsStartedH2", "spawn → h2 log 'mDNS discovery started'", (r) => r.h2.log.mdnsStarted),
    row("logSessionStartedH2", "spawn → h2 log 'sync session started'", (r) => r.h2.log.sessionStarted),
    row("spawnSkew", "h2 spawn − h1 spawn", (r) => r.spawnSkew),
  ]
  if (ok.some((r) => r.packets)) {
    rows.push(
      row("pktFirstQueryH2", "spawn → h2's first PTR query on the wire", (r) => first(r, "mdns-query", "h2")),
      row("pktFirstProbeH1", "spawn → h1's first probe on the wire", (r) => first(r, "mdns-probe", "h1")),
      row("pktFirstResponseH1", "spawn → h1's first mDNS response (announce/answer)", (r) => first(r, "mdns-response", "h1")),
      row("pktFirstResponseH2", "spawn → h2's first mDNS response (announce/answer)", (r) => first(r, "mdns-response", "h2")),
      row("pktFirstSyn", "spawn → first TCP SYN to port 47110", (r) => r.packets?.find((p) => p.kind === "tcp-syn")?.at),
      row("pktProbingH1", "h1 mDNS started → its first announce (probing)", (r) => diff(first(r, "mdns-response", "h1"), r.h1.log.mdnsStarted)),
      row("pktProbingH2", "h2 mDNS started → its first announce (probing)", (r) => diff(first(r, "mdns-response", "h2"), r.h2.log.mdnsStarted)),
      row("pktAnnounceToSyn", "first announce on the wire → first SYN", (r) => diff(r.packets?.find((p) => p.kind === "tcp-syn")?.at, r.packets?.find((p) => p.kind === "mdns-response")?.at)),
      row("pktSynToSession", "first SYN → h2 log 'sync session started'", (r) => diff(r.h2.log.sessionStarted, r.packets?.find((p) => p.kind === "tcp-syn")?.at)),
    )
  }
  return rows
}

function diff(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b
}

function printTable(rows: readonly Row[], results: readonly RunResult[], args: Args): void {
  const ok = results.filter((r) => r.ok)
  const fmt = (n: number | undefined) => (n === undefined ? "—" : n >= 100 ? n.toFixed(0) : n.toFixed(1))
  const width = Math.max(...rows.map((r) => r.label.length))
  console.log(`\nDiscovery benchmark — ${ok.length}/${results.length} runs ok, 2 netns hosts, mDNS only (target: figure ≤ ${TARGET_MS} ms)`)
  console.log(`node ${process.version}, ${cpus().length} cpus, ${Math.round(totalmem() / 2 ** 30)} GiB; log level ${args.logLevel}; times in ms${args.bin ? `; timed daemons from ${args.bin}` : ""}`)
  console.log(`${"".padEnd(width)}  ${"median".padStart(8)} ${"min".padStart(8)} ${"max".padStart(8)} ${"p90".padStart(8)} ${"n".padStart(4)}`)
  for (const row of rows) {
    const s = row.spread
    console.log(`${row.label.padEnd(width)}  ${fmt(s?.median).padStart(8)} ${fmt(s?.min).padStart(8)} ${fmt(s?.max).padStart(8)} ${fmt(s?.p90).padStart(8)} ${String(s?.n ?? 0).padStart(4)}`)
  }
  const dialFailures = ok.reduce((sum, r) => sum + r.h1.log.dialFailures + r.h2.log.dialFailures, 0)
  const viaPoll = ok.filter((r) => r.syncedVia === "poll").length
  console.log(`per-run figure (ms): ${results.map((r) => (r.ok ? fmt(r.synced) : "FAIL")).join(", ")}`)
  if (args.logLevel === "debug") console.log(`dial failures logged (debug): ${dialFailures} over ${ok.length} runs`)
  if (viaPoll > 0) console.log(`${viaPoll} run(s): the record reached h2 before h2 was unlocked (seen by records.get, not record.changed)`)
  for (const [i, r] of results.entries()) if (!r.ok) console.log(`run ${i + 1} failed: ${r.error}`)
  const loads = results.map((r) => r.loadBefore).filter((l): l is number => l !== undefined)
  if (loads.length > 0) {
    const busiest = Math.max(...loads)
    console.log(`1-min load average before the timed parts: ${loads.map((l) => l.toFixed(1)).join(", ")}`)
    if (busiest > BUSY_LOAD_PER_CPU * cpus().length) console.log(`WARNING: the machine was busy (load up to ${busiest.toFixed(1)} on ${cpus().length} cpus): other work competed with the daemons, figures are inflated`)
  }
  const figure = rows[0].spread
  if (figure) console.log(`figure median ${fmt(figure.median)} ms: ${figure.median <= TARGET_MS ? "within" : "ABOVE"} the ${TARGET_MS} ms target`)
}

function progressLine(run: number, runs: number, r: RunResult): string {
  if (!r.ok) return `run ${run}/${runs}: FAILED: ${r.error}`
  const f = (n: number | undefined) => (n === undefined ? "—" : `${Math.round(n)}`)
  return (
    `run ${run}/${runs}: synced ${f(r.synced)} ms | socket h1 ${f(r.h1.socket)} h2 ${f(r.h2.socket)} | unlock h1 ${f(r.h1.unlock)} h2 ${f(r.h2.unlock)}` +
    ` | link up h2 ${f(r.h2.linkUp)} (${r.h2.linkSeenVia ?? "—"}) | created ${f(r.created)} | load ${r.loadBefore?.toFixed(1) ?? "—"} | scrubbed h1 [${Object.keys(r.scrubbed.h1).join(",")}] h2 [${Object.keys(r.scrubbed.h2).join(",")}]`
  )
}

function timeline(r: RunResult): string {
  const lines = (r.packets ?? []).map((p) => `    ${p.at.toFixed(1).padStart(8)} ms  ${p.from.padEnd(3)} ${p.kind.padEnd(13)} ${p.summary}`)
  const logs: Array<[number | undefined, string]> = [
    [r.h1.log.mdnsStarted, "h1 log: mDNS discovery started"],
    [r.h2.log.mdnsStarted, "h2 log: mDNS discovery started"],
    [r.h1.log.daemonStarted, "h1 log: daemon started"],
    [r.h2.log.daemonStarted, "h2 log: daemon started"],
    [r.h1.log.sessionStarted, "h1 log: sync session started"],
    [r.h2.log.sessionStarted, "h2 log: sync session started"],
    [r.h1.unlocked, "h1 unlock returned"],
    [r.h2.unlocked, "h2 unlock returned"],
    [r.created, "h1 record created"],
    [r.synced, "h2 record.changed"],
  ]
  const marks = logs.filter(([at]) => at !== undefined).map(([at, what]) => `    ${at!.toFixed(1).padStart(8)} ms  ── ${what}`)
  const all = [...lines, ...marks].sort((a, b) => parseFloat(a) - parseFloat(b))
  return `  timeline (ms from the first spawn):\n${all.join("\n")}`
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exitCode = 1
})
