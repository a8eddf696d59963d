/**
 * Figure 8: discovery (issue 6, target ≤ 2 s): on two network-namespace hosts
 * with real mDNS, both daemons spawned → the first new record synced. Runs
 * scripts/bench-discovery.ts in a child process, which makes fresh hosts per run
 * and removes them (also on SIGINT/SIGTERM), and reads its bench/discovery.json.
 * Needs root and `ip netns`: without them the row says "skipped: needs root".
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import { existsSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { check, type BenchContext } from "../context.js"

const SCRIPT = fileURLToPath(new URL("../../bench-discovery.ts", import.meta.url))
const RESULTS = fileURLToPath(new URL("../../../bench/discovery.json", import.meta.url))
const KEY = "discovery.synced"
const LABEL = "discovery: both daemons spawned → first record synced (2 netns hosts, mDNS)"
/** Setup and the timed part of one run take ≈ 4 s; a run gives up on the sync after 30 s. */
const TIMEOUT_PER_RUN_MS = 60_000
const IP_TIMEOUT_MS = 10_000
/** Names test/hosts/netns.ts gives namespaces (`lv<tag>-h<n>`), and where it notes each tag's owner pid. */
const TEST_NAMESPACE = /^lv([0-9a-f]{4})-h\d+$/
const OWNER_DIR = join(tmpdir(), "lanvault-test-hosts")
const NEEDS_ROOT_ERROR = "test hosts need network namespaces"

interface DiscoveryResults {
  runs: Array<{ ok: boolean; error?: string; synced?: number }>
}

/** Why netns hosts cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return "needs Linux network namespaces"
  if (process.getuid?.() !== 0) return "needs root"
  try {
    execFileSync("ip", ["netns", "list"], { stdio: "ignore", timeout: IP_TIMEOUT_MS })
  } catch {
    return "needs `ip netns` (iproute2)"
  }
  return undefined
}

/** Adds the discovery row: the figure of `config.discoveryRuns` runs, or why it was skipped. */
export async function measureDiscovery(ctx: BenchContext): Promise<void> {
  const unavailable = netnsUnavailable()
  if (unavailable !== undefined) {
    ctx.report.skip(KEY, LABEL, unavailable)
    return
  }
  const runs = ctx.config.discoveryRuns
  ctx.progress(`discovery: ${runs} run(s) on netns hosts`)
  rmSync(RESULTS, { force: true })
  const { outcome, pid } = await runChild(ctx, runs)
  const leftovers = removeLeftovers(pid)
  check(leftovers.length === 0, `the discovery benchmark removes its netns hosts (left behind, now removed: ${leftovers.join(", ")})`)
  check(outcome === "exited", `the discovery benchmark finished (${outcome})`)
  check(existsSync(RESULTS), `the discovery benchmark wrote ${RESULTS}`)
  const results = JSON.parse(readFileSync(RESULTS, "utf8")) as DiscoveryResults
  const failed = results.runs.filter((run) => !run.ok)
  if (failed.length === results.runs.length && failed.every((run) => run.error?.includes(NEEDS_ROOT_ERROR))) {
    ctx.report.skip(KEY, LABEL, "netns hosts could not be made (needs root)")
    return
  }
  const synced = results.runs.filter((run) => run.ok && run.synced !== undefined).map((run) => run.synced!)
  if (synced.length > 0) {
    ctx.report.add(KEY, LABEL, "ms", synced, {
      note: `${synced.length} of ${runs} runs, fresh hosts and homes each; target ≤ 2,000 ms; the parts of each run are in ${RESULTS}`,
    })
  }
  check(failed.length === 0, `every discovery run synced the record (${failed.map((run) => run.error).join("; ")})`)
}

/**
 * Runs scripts/bench-discovery.ts; its lines go to the progress output. A SIGTERM
 * or exit of the bench is passed on, so the child removes its hosts first.
 */
function runChild(ctx: BenchContext, runs: number): Promise<{ outcome: "exited" | "timed out" | "interrupted"; pid?: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, "--runs", String(runs)], { stdio: ["ignore", "pipe", "pipe"] })
  let outcome: "exited" | "timed out" | "interrupted" = "exited"
  const stop = (why: typeof outcome) => {
    outcome = why
    child.kill("SIGTERM")
  }
  const onExit = () => child.kill("SIGTERM")
  const onTerm = () => stop("interrupted")
  process.once("exit", onExit)
  process.once("SIGTERM", onTerm)
  const timer = setTimeout(() => stop("timed out"), runs * TIMEOUT_PER_RUN_MS)
  forwardLines(child, ctx)
  return new Promise((resolve) => {
    child.once("close", () => {
      clearTimeout(timer)
      process.removeListener("exit", onExit)
      process.removeListener("SIGTERM", onTerm)
      resolve({ outcome, pid: child.pid })
    })
  })
}

function forwardLines(child: ChildProcess, ctx: BenchContext): void {
  let pending = ""
  child.stderr!.on("data", (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split("\n")
    pending = lines.pop() ?? ""
    for (const line of lines) if (line.trim() !== "") ctx.progress(`discovery: ${line}`)
  })
  // The child's own table: the bench's table has the figure, discovery.json the parts.
  child.stdout!.resume()
}

/** Deletes the namespaces (and bridges) the child left behind, were it killed before its cleanup; returns their names. */
function removeLeftovers(childPid: number | undefined): string[] {
  if (childPid === undefined) return []
  const listed = execFileSync("ip", ["netns", "list"], { encoding: "utf8", timeout: IP_TIMEOUT_MS })
  const leftovers = listed.split("\n").map((line) => line.split(" ")[0]).filter((name) => {
    const tag = TEST_NAMESPACE.exec(name)?.[1]
    return tag !== undefined && ownerOf(tag) === childPid
  })
  for (const name of leftovers) {
    const tag = TEST_NAMESPACE.exec(name)![1]
    tryIp(["netns", "del", name])
    tryIp(["link", "del", `lvbr${tag}`])
    rmSync(join(OWNER_DIR, `${tag}.pid`), { force: true })
  }
  return leftovers
}

/** The pid that claimed a test-host tag (other processes' hosts are never touched). */
function ownerOf(tag: string): number | undefined {
  try {
    return Number(readFileSync(join(OWNER_DIR, `${tag}.pid`), "utf8"))
  } catch {
    return undefined
  }
}

function tryIp(args: string[]): void {
  try {
    execFileSync("ip", args, { stdio: "ignore", timeout: IP_TIMEOUT_MS })
  } catch {
    // already gone
  }
}
