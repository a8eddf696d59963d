import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { runsDaemon } from "../../../src/cli/daemon-heap.js"

const DAEMON_HEAP = fileURLToPath(new URL("../../../dist/cli/daemon-heap.js", import.meta.url))
const MIB = 1024 * 1024

/** Allocates short-lived garbage for a while in a fresh node (after useDaemonHeap when `lean`) and prints new space's size in MiB. */
function newSpaceAfterBurst(lean: boolean): number {
  const script = `
    import { getHeapSpaceStatistics } from "node:v8"
    import { useDaemonHeap } from ${JSON.stringify(DAEMON_HEAP)}
    if (${lean}) useDaemonHeap()
    let keep = []
    for (let i = 0; i < 400000; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 50000) keep = [] }
    console.log(getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size)`
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) / MIB
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
})
