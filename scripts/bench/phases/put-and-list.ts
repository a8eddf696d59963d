/**
 * Figure 1: records.create throughput over the socket from one client with a
 * few calls in flight, in batches (the first is the warm-up), then records.list
 * of the whole vault.
 */
import { performance } from "node:perf_hooks"
import type { RecordInput } from "../../../src/merge/types.js"
import type { BenchDevice, Measured } from "../bench-device.js"
import { check, type BenchContext } from "../context.js"
import type { RecordGenerator } from "../record-generator.js"

const MS_PER_S = 1_000
/** Records in the first page the page figure asks for (a screenful and more). */
const LIST_PAGE_RECORDS = 100

/** Creates `config.records` records on `device`; returns their ids in creation order. */
export async function measurePut(ctx: BenchContext, device: BenchDevice, generator: RecordGenerator): Promise<string[]> {
  const { records, putBatch, putConcurrency } = ctx.config
  const ids: string[] = []
  const rates: number[] = []
  const cpuMs: number[] = []
  const latencies: number[] = []
  const started = performance.now()
  for (let done = 0; done < records; done += putBatch) {
    const batch = Array.from({ length: Math.min(putBatch, records - done) }, () => generator.next())
    let created: Created | undefined
    const measured = await device.measure(async () => (created = await createAll(device, batch, putConcurrency)))
    const rate = batch.length / (measured.ms / MS_PER_S)
    ids.push(...created!.ids)
    if (done > 0) {
      rates.push(rate)
      cpuMs.push(measured.cpuMs)
      latencies.push(...created!.latenciesMs)
    }
    ctx.progress(`created ${ids.length}/${records} (${Math.round(rate)}/s)`)
  }
  const overall = records / ((performance.now() - started) / MS_PER_S)
  check(await device.recordCount() === records, `A holds ${records} records`)
  const note = `batches of ${putBatch} (daemon CPU is per batch), the first (warm-up) left out; ${putConcurrency} in flight; ` +
    `${Math.round(overall)} rec/s over all ${records} including the warm-up`
  ctx.report.add("put.rate", `records.create throughput (${records} records)`, "rec/s", rates, { note, cpuMs })
  ctx.report.add("put.latency", `records.create call latency at ${putConcurrency} in flight`, "ms", latencies)
  return ids
}

/** records.list of the whole vault: a few untimed calls, then the timed ones. */
export async function measureList(ctx: BenchContext, device: BenchDevice): Promise<void> {
  const { listWarmup, listCalls, records } = ctx.config
  const samples: Measured[] = []
  for (let i = 0; i < listWarmup + listCalls; i++) {
    let length = 0
    const measured = await device.measure(async () => (length = (await device.api.call("records.list", {})).length))
    if (i >= listWarmup) samples.push(measured)
    check(length === records, `records.list returns ${records} records`)
  }
  ctx.report.add("list.ms", `records.list of ${records} records (no filter)`, "ms", samples.map((s) => s.ms),
    { note: `after ${listWarmup} warm-up calls`, cpuMs: samples.map((s) => s.cpuMs) })
  await measureFirstPage(ctx, device)
}

/** records.list's first page (limit LIST_PAGE_RECORDS), as an app shows a long vault: untimed calls, then timed ones. */
async function measureFirstPage(ctx: BenchContext, device: BenchDevice): Promise<void> {
  const { listWarmup, listCalls, records } = ctx.config
  const samples: Measured[] = []
  for (let i = 0; i < listWarmup + listCalls; i++) {
    let page: { records: readonly unknown[]; next?: string } = { records: [] }
    const measured = await device.measure(async () => (page = await device.api.call("records.list", { limit: LIST_PAGE_RECORDS })))
    if (i >= listWarmup) samples.push(measured)
    check(page.records.length === Math.min(LIST_PAGE_RECORDS, records) && (page.next !== undefined) === records > LIST_PAGE_RECORDS, `the first page holds ${LIST_PAGE_RECORDS} records`)
  }
  ctx.report.add("list.page.ms", `records.list first page (limit ${LIST_PAGE_RECORDS}) of ${records} records`, "ms", samples.map((s) => s.ms),
    { note: `after ${listWarmup} warm-up calls`, cpuMs: samples.map((s) => s.cpuMs) })
}

interface Created {
  /** In input order. */
  ids: string[]
  latenciesMs: number[]
}

/** Runs the creates with `concurrency` calls in flight. */
export async function createAll(device: BenchDevice, inputs: RecordInput[], concurrency: number): Promise<Created> {
  const ids: string[] = new Array(inputs.length)
  const latenciesMs: number[] = []
  let next = 0
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++
      const started = performance.now()
      ids[index] = (await device.api.call("records.create", { record: inputs[index] })).id
      latenciesMs.push(performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { ids, latenciesMs }
}
