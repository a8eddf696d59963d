import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { openImport } from "../../../src/import/import-session.js"
import { bucketOf, newRecordIds } from "../../../src/merge/bucket.js"
import type { FilledGroup, FillPlan } from "../../../src/merge/bucket-fill.js"
import { codeOfAsync as codeOf } from "../../helpers/error-code.js"

const ACTOR = "cd".repeat(16)
const NOW = Date.UTC(2026, 0, 2)

function chromeCsv(rows: number, title = (i: number) => `site ${i}`): string {
  const lines = ["name,url,username,password,note"]
  for (let i = 0; i < rows; i++) lines.push(`${title(i)},https://${i}.example/login,user${i},pw-${i},`)
  return `${lines.join("\n")}\n`
}

/** A plan as the vault makes one: `count` records over buckets 100, 101… (`perBucket` each), the first `held` of them not fresh. */
function planOf(count: number, perBucket: number, held = 0): FillPlan {
  const groups: FillPlan["groups"] = []
  for (let from = 0; from < count; from += perBucket) {
    const indexes = Array.from({ length: Math.min(perBucket, count - from) }, (_, i) => from + i)
    const bucket = 100 + groups.length
    groups.push({ bucket, indexes, ids: newRecordIds(indexes.map(() => bucket)), fresh: groups.length >= held })
  }
  return { actor: ACTOR, now: NOW, groups }
}

describe("an import read for the vault to plan (import-session.ts, in this thread as from the sources)", () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "lv-import-session-"))
  })

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it("says how many records the file holds, then writes each planned group: fresh buckets whole, others as inputs", async () => {
    const path = join(dir, "chrome.csv")
    writeFileSync(path, chromeCsv(300))
    const read = await openImport({ op: "import", path, format: "chrome-csv", existing: [] })
    expect(read.count).toBe(300)
    expect(read.summary).toMatchObject({ format: "chrome-csv", detectedBy: "--format", skipped: [], kept: [], duplicates: [] })
    const plan = planOf(300, 128, 1)
    const groups: FilledGroup[] = []
    for await (const group of read.fill(plan)) groups.push(group)
    await read.close()
    expect(groups).toHaveLength(3)
    // The first bucket was held when planned: its 128 records come back to be created the usual way.
    expect(groups[0].filled).toBeUndefined()
    expect(groups[0].inputs?.map((input) => input.title)).toEqual(Array.from({ length: 128 }, (_, i) => `site ${i}`))
    for (const [n, group] of groups.slice(1).entries()) {
      const planned = plan.groups[n + 1]
      expect(group.inputs).toBeUndefined()
      const summaries = group.filled!.summaries
      expect(summaries.map((summary) => summary.id).sort()).toEqual([...planned.ids].sort())
      for (const summary of summaries) {
        expect(bucketOf(summary.id, 64)).toBe(planned.bucket)
        const index = planned.indexes[planned.ids.indexOf(summary.id)]
        expect(summary).toMatchObject({ title: `site ${index}`, createdAt: NOW, fields: { password: { kind: "secret" }, username: { kind: "text", value: `user${index}` } } })
        expect(summary.fields.password).not.toHaveProperty("value")
      }
      expect(group.filled!.change.length).toBeGreaterThan(0)
    }
  })

  it("refuses a malformed file before saying anything, naming its line", async () => {
    const path = join(dir, "cut.csv")
    writeFileSync(path, `${chromeCsv(20)}"unclosed,https://x.example,u,p\n`)
    expect(await codeOf(openImport({ op: "import", path, format: "chrome-csv", existing: [] }))).toBe("IMPORT_FAILED")
  })

  it("refuses the whole file when one entry cannot be a record (a 2,000-character title), before any is written", async () => {
    const path = join(dir, "long.csv")
    writeFileSync(path, chromeCsv(50, (i) => (i === 42 ? "x".repeat(2_000) : `site ${i}`)))
    expect(await codeOf(openImport({ op: "import", path, format: "chrome-csv", existing: [] }))).toBe("INVALID_PARAMS")
  })
})
