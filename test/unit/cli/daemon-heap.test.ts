import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { runsDaemon } from "../../../src/cli/daemon-heap.js"

const DAEMON_HEAP = fileURLToPath(new URL("../../../dist/cli/daemon-heap.js", import.meta.url))
const MIB = 1024 * 1024

/** Allocates short-lived garbage for a while in a fresh node (after useDaemonHeap when `lean`) and prints new space's size in MiB. */
function newSpaceAfterBurst(lean: boolean, afterWorker = false): number {
  const script = `
    import { getHeapSpaceStatistics } from "node:v8"
    import { Worker } from "node:worker_threads"
    import { useDaemonHeap } from ${JSON.stringify(DAEMON_HEAP)}
    if (${lean}) useDaemonHeap()
    if (${afterWorker}) {
      // A worker thread's start sets V8's flags back (an import's parse worker): the burst comes while it runs.
      const worker = new Worker("setTimeout(() => {}, 300)", { eval: true })
      await new Promise((resolve) => worker.once("online", resolve))
      await new Promise((resolve) => setImmediate(resolve))
    }
    let keep = []
    for (let i = 0; i < 400000; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 50000) keep = [] }
    console.log(getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size)`
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) / MIB
}

/** In a fresh node (after useDaemonHeap when `lean`, then `--opt` again when `resume`): whether a hot function got optimized (V8's status bit 4: TurboFan). */
function hotFunctionOptimized(lean: boolean, resume: boolean): boolean {
  const script = `
    import { setFlagsFromString } from "node:v8"
    import { useDaemonHeap } from ${JSON.stringify(DAEMON_HEAP)}
    if (${lean}) useDaemonHeap()
    if (${resume}) setFlagsFromString("--opt")
    function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s }
    for (let k = 0; k < 2000; k++) hot(10000)
    console.log((%GetOptimizationStatus(hot) & 16) !== 0)`
  return execFileSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", script], { encoding: "utf8" }).trim() === "true"
}

describe("the daemon's heap settings", () => {
  it("runsDaemon finds the command past global options", () => {
    expect(runsDaemon(["daemon", "--port", "0"])).toBe(true)
    expect(runsDaemon(["--home", "/tmp/h", "daemon"])).toBe(true)
    expect(runsDaemon(["--home=/tmp/h", "daemon"])).toBe(true)
    expect(runsDaemon(["--home", "daemon", "status"])).toBe(false)
    expect(runsDaemon(["records", "create", "daemon"])).toBe(false)
    expect(runsDaemon(["service", "install"])).toBe(false)
    expect(runsDaemon([])).toBe(false)
  })

  it("keeps V8's young generation at its starting size through a burst of allocation (set at run time, not on node's command line)", () => {
    // Without the setting the same burst grows it past 4 MiB; with it, it stays at two 1 MiB semi-spaces.
    expect(newSpaceAfterBurst(false)).toBeGreaterThan(4)
    expect(newSpaceAfterBurst(true)).toBeLessThanOrEqual(2)
  }, 30_000)

  it("keeps it small through a worker thread's start, which sets V8's flags back", () => {
    expect(newSpaceAfterBurst(false, true)).toBeGreaterThan(4)
    expect(newSpaceAfterBurst(true, true)).toBeLessThanOrEqual(2)
  }, 30_000)

  it("starts without V8's optimizing compiler, and --opt (what run-daemon sets once the daemon answers) brings it back", () => {
    expect(hotFunctionOptimized(false, false)).toBe(true)
    expect(hotFunctionOptimized(true, false)).toBe(false)
    expect(hotFunctionOptimized(true, true)).toBe(true)
  }, 30_000)
})
