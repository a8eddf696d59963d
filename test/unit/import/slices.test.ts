import { describe, expect, it } from "vitest"
import { formatEvent } from "../../../src/cli/event-format.js"
import { mapInSlices, mapRecordsInSlices, SLICE_MS } from "../../../src/import/slices.js"
import { bucketOf, newRecordIds } from "../../../src/merge/bucket.js"

function busy(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) { /* a record that loads a cold bucket */ }
}

describe("mapInSlices", () => {
  it("maps every item in order and yields to the event loop once a slice has run SLICE_MS, even for few slow items", async () => {
    let turns = 0
    const ticker = setInterval(() => (turns += 1), 0)
    const progress: Array<[number, number]> = []
    // Six items of half a slice each: the old "look at the clock every 32 items" never yielded here.
    const out = await mapInSlices([1, 2, 3, 4, 5, 6], (n) => (busy(SLICE_MS / 2), n * 10), (done, total) => progress.push([done, total]))
    clearInterval(ticker)
    expect(out).toEqual([10, 20, 30, 40, 50, 60])
    expect(turns).toBeGreaterThanOrEqual(2)
    expect(progress.length).toBeGreaterThanOrEqual(3)
    expect(progress.at(-1)).toEqual([6, 6])
    for (let i = 1; i < progress.length; i++) expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0])
  })

  it("reports an empty list as done", async () => {
    const progress: Array<[number, number]> = []
    expect(await mapInSlices([], (n: number) => n, (done, total) => progress.push([done, total]))).toEqual([])
    expect(progress).toEqual([[0, 0]])
  })
})

describe("mapRecordsInSlices", () => {
  it("reads the records bucket by bucket, each bucket once, and answers in the list's order", async () => {
    // 600 records over 300 buckets, listed in an order that jumps between buckets (a list sorted by title).
    const ids = newRecordIds(Array.from({ length: 600 }, (_, n) => (n * 7) % 300))
    const listed = ids.map((id, n) => ({ id, title: `t${(n * 389) % 600}` })).sort((a, b) => a.title.localeCompare(b.title))
    const visited: number[] = []
    const out = await mapRecordsInSlices(listed, (record) => (visited.push(bucketOf(record.id, 64)), record.title))
    expect(out).toEqual(listed.map((record) => record.title))
    const runs = visited.filter((bucket, i) => i === 0 || bucket !== visited[i - 1])
    expect(runs).toHaveLength(300)
    expect(new Set(runs).size).toBe(300)
    // In list order the same walk would have changed bucket at nearly every record.
    const listOrder = listed.map((record) => bucketOf(record.id, 64)).filter((bucket, i, all) => i === 0 || bucket !== all[i - 1])
    expect(listOrder.length).toBeGreaterThan(500)
  })
})

describe("progress events in `lanvault watch`", () => {
  it("shows an export's and an import's progress as counts", () => {
    expect(formatEvent({ type: "work.progress", work: "export", done: 300, total: 6000 }, new Map(), new Date())).toMatch(/work\.progress\s+export 300\/6000$/)
    expect(formatEvent({ type: "import.progress", done: 5, total: 9 }, new Map(), new Date())).toMatch(/import\.progress\s+imported 5\/9$/)
  })
})
