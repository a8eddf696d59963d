import { describe, expect, it } from "vitest"
import { workerHeapLimitMb } from "../../../src/import/off-thread.js"
import type { ExportRecord } from "../../../src/import/types.js"

const records = (count: number): ExportRecord[] => Array.from({ length: count }, () => ({}) as ExportRecord)

describe("the import/export worker's heap limit", () => {
  it("is 1 GiB for imports and text exports, whatever their size", () => {
    expect(workerHeapLimitMb({ op: "import", path: "/x.csv", existing: [] })).toBe(1_024)
    expect(workerHeapLimitMb({ op: "export", format: "json", records: records(100_000) })).toBe(1_024)
  })

  it("grows with a KDBX export's records: kdbxweb holds the whole XML document (≈ 26 KiB an entry, 50k did not fit in 1 GiB)", () => {
    expect(workerHeapLimitMb({ op: "export", format: "kdbx", records: records(1_000) })).toBe(1_024)
    const at50k = workerHeapLimitMb({ op: "export", format: "kdbx", records: records(50_000) })
    expect(at50k).toBeGreaterThanOrEqual(50_000 * 26 / 1_024 + 256)
    expect(workerHeapLimitMb({ op: "export", format: "kdbx", records: records(100_000) })).toBeGreaterThan(at50k)
  })
})
