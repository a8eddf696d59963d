import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { describe, expect, it, vi } from "vitest"
import { releaseHeapSoon } from "../../../src/vault/heap-release.js"

function oldSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === "old_space")!.space_size
}

/** Many small objects made old, then two of every three dropped: most old pages are a third used. Returns what is kept and gc. */
function fragmentOldGeneration(): { kept: unknown[]; gc: () => void } {
  setFlagsFromString("--expose-gc")
  const gc = runInNewContext("gc") as () => void
  const kept: Array<{ n: number; s: string } | undefined> = Array.from({ length: 300_000 }, (_, n) => ({ n, s: `object ${n}` }))
  gc()
  gc()
  for (let i = 0; i < kept.length; i++) if (i % 3 !== 0) kept[i] = undefined
  gc()
  gc()
  return { kept, gc }
}

async function afterRelease(options?: Parameters<typeof releaseHeapSoon>[0]): Promise<void> {
  vi.useFakeTimers()
  try {
    releaseHeapSoon(options)
    await vi.advanceTimersByTimeAsync(2_000)
  } finally {
    vi.useRealTimers()
  }
}

const MIB = 1024 * 1024

describe("the heap release after a lock", () => {
  it("drops the start's release when a session began before it was due, and a lock's release still runs", async () => {
    const { kept } = fragmentOldGeneration()
    const ordinary = oldSpaceBytes()
    await afterRelease({ unless: () => true })
    expect(oldSpaceBytes()).toBeGreaterThan(ordinary - MIB)
    await afterRelease()
    expect(oldSpaceBytes()).toBeLessThan(ordinary - 2 * MIB)
    expect(kept.filter(Boolean)).toHaveLength(100_000)
  })

  it("compacts the old generation: pages left partly used by freed objects go back, which an ordinary full collection keeps", async () => {
    const { kept } = fragmentOldGeneration()
    const ordinary = oldSpaceBytes()
    await afterRelease()
    expect(kept.filter(Boolean)).toHaveLength(100_000)
    expect(oldSpaceBytes()).toBeLessThan(ordinary - 2 * MIB)
  })
})
