/**
 * Fills a vault fast for the big sizes (`--large`): the generated records are
 * written as a lanvault JSON export in the device's home and imported with one
 * `import` call (slices of one Automerge change per bucket, one fsync each),
 * instead of one records.create per record (≈ 10× longer at 100k). The vault then
 * holds far fewer log entries than records; the ids come back from records.list.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import type { RecordInput } from "../../src/merge/types.js"
import type { BenchDevice } from "./bench-device.js"
import { check, type BenchContext } from "./context.js"
import type { RecordGenerator } from "./record-generator.js"

/** Imports `inputs` into the (unlocked) device; resolves with the ids of every record it then holds. */
export async function importRecords(device: BenchDevice, inputs: readonly RecordInput[], timeoutMs: number): Promise<string[]> {
  const path = join(device.home, "bench-fill.json")
  const records = inputs.map((r) => ({ type: r.type, title: r.title, fields: r.fields ?? {}, notes: r.notes ?? "", tags: r.tags ?? [], favorite: r.favorite ?? false }))
  writeFileSync(path, JSON.stringify({ format: "lanvault-export", version: 1, exportedAt: new Date().toISOString(), records }), { mode: 0o600 })
  const summary = await device.api.call("import", { path, format: "json" }, { timeoutMs }) as { imported: number }
  check(summary.imported === inputs.length, `${device.name}: the import created ${inputs.length} records (got ${summary.imported})`)
  return (await device.api.call("records.list", {})).map((record) => record.id)
}

/** `--large`'s fill of A: `config.records` generated records in one import, timed; returns their ids. */
export async function measureImportFill(ctx: BenchContext, device: BenchDevice, generator: RecordGenerator): Promise<string[]> {
  const { records, syncTimeoutMs } = ctx.config
  ctx.progress(`filling A: import of ${records} records`)
  const inputs = Array.from({ length: records }, () => generator.next())
  let ids: string[] = []
  const measured = await device.measure(async () => (ids = await importRecords(device, inputs, syncTimeoutMs)))
  check(ids.length === records, `A holds ${records} records after the import`)
  ctx.report.add("fill.import", `A filled: import of ${records} records (lanvault JSON export), then records.list`, "ms", [measured.ms], {
    note: `${await device.ownHead()} log entries (an import commits one change per bucket and slice, not one per record)`,
    cpuMs: [measured.cpuMs],
  })
  ctx.progress(`filled A: ${records} records in ${Math.round(measured.ms)} ms`)
  return ids
}
