import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { describe, expect, it, vi } from "vitest"
import { releaseHeapSoon } from "../../../src/vault/heap-release.js"

function oldSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === "old_space")!.space_size
}

describe("the heap release after a lock", () => {
  it("compacts the old generation: pages left partly used by freed objects go back, which an ordinary full collection keeps", async () => {
    setFlagsFromString("--expose-gc")
    const gc = runInNewContext("gc") as () => void
    // Many small objects made old, then two of every three dropped: most old pages are a third used.
    const kept: Array<{ n: number; s: string } | undefined> = Array.from({ length: 300_000 }, (_, n) => ({ n, s: `object ${n}` }))
    gc()
    gc()
    for (let i = 0; i < kept.length; i++) if (i % 3 !== 0) kept[i] = undefined
    gc()
    gc()
    const ordinary = oldSpaceBytes()
    vi.useFakeTimers()
    try {
      releaseHeapSoon()
      await vi.advanceTimersByTimeAsync(2_000)
    } finally {
      vi.useRealTimers()
    }
    const released = oldSpaceBytes()
    expect(kept.filter(Boolean)).toHaveLength(100_000)
    expect(released).toBeLessThan(ordinary - 2 * 1024 * 1024)
  })
})
