import { describe, expect, it } from "vitest"
import { paced, PROGRESS_EVERY_MS } from "../../src/progress-pace.js"

describe("paced progress", () => {
  it("passes a report at most every PROGRESS_EVERY_MS, and always the last (done = total)", () => {
    let now = 1_000
    const seen: Array<[number, number]> = []
    const report = paced((done, total) => seen.push([done, total]), () => now)
    report(1, 10)
    now += 10
    report(2, 10)
    now += PROGRESS_EVERY_MS
    report(3, 10)
    now += 1
    report(10, 10)
    expect(seen).toEqual([[1, 10], [3, 10], [10, 10]])
  })
})
