import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const HEAP_RELEASE = fileURLToPath(new URL("../../../dist/vault/heap-release.js", import.meta.url))
const MIB = 1024 * 1024

/**
 * In a fresh node with the daemon's resting growth factor: a burst of allocation inside withRoomyYoungGeneration (when
 * `roomy`) or after one, then (when `release` says) a lock's release or a plain
 * one; prints new space's size in MiB before the burst, at its end and 2.5 s later.
 */
function newSpace(roomy: boolean, release: "lock" | "plain" | "none"): { before: number; grown: number; later: number } {
  const script = `
    import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8"
    import { holdAutomerge, loadUnlockedVault, releaseAfterLock, releaseHeapSoon, withRoomyYoungGeneration } from ${JSON.stringify(HEAP_RELEASE)}
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size
    const burst = async () => {
      let keep = []
      for (let i = 0; i < 2000000; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 200000) keep = [] }
    }
    // As the daemon runs (cli/daemon-heap.ts).
    setFlagsFromString("--semi-space-growth-factor=1")
    await loadUnlockedVault()
    holdAutomerge()
    await withRoomyYoungGeneration(async () => undefined)
    const before = size()
    if (${roomy}) await withRoomyYoungGeneration(burst)
    else await burst()
    const grown = size()
    if (${JSON.stringify(release)} === "lock") releaseAfterLock()
    if (${JSON.stringify(release)} === "plain") releaseHeapSoon()
    await new Promise((resolve) => setTimeout(resolve, 2500))
    console.log(JSON.stringify({ before, grown, later: size() }))`
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as { before: number; grown: number; later: number }
  return { before: out.before / MIB, grown: out.grown / MIB, later: out.later / MIB }
}

describe("the young generation of long work", () => {
  it("may grow while an import's records are created, and stays small after (the daemon's resting factor)", () => {
    const roomy = newSpace(true, "none")
    expect(roomy.grown).toBeGreaterThan(roomy.before)
    expect(roomy.grown).toBeGreaterThan(8)
    const after = newSpace(false, "none")
    expect(after.grown).toBe(after.before)
  }, 60_000)

  it("is given back by a lock's release within 2.5 s, where a plain release (collections only) keeps it", () => {
    const plain = newSpace(true, "plain")
    expect(plain.grown).toBeGreaterThan(4)
    expect(plain.later).toBeGreaterThan(4)
    const locked = newSpace(true, "lock")
    expect(locked.grown).toBeGreaterThan(4)
    expect(locked.later).toBeLessThanOrEqual(2)
    expect(locked.later).toBeLessThan(locked.before + 1)
  }, 60_000)
})
