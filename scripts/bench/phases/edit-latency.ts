/**
 * Figure 4: an edit on A until `record.changed` on B. B is connected to A only
 * through the counting relay; edits go one at a time, each timed from just
 * before records.update on A to the event on B's socket. An unlocked vault keeps
 * buckets cold until a record in them is read in full, edited or merged into, and
 * sends a bucket idle for 30 s back to its snapshot: both devices first read the
 * records the edits will touch, in turns (quickly enough that none goes idle), so
 * the timed edits are the steady state of a busy vault; then both lock and unlock
 * and a few edits are timed with every bucket cold (what an edit costs after an
 * unlock, or after its bucket sat idle). The reads go ahead of the edits a block at a
 * time (READ_AHEAD_BLOCK), their CPU left out of the edits': read all at once, at 100k
 * records on a busy machine the first ones sat idle 30 s before their edit came, so the
 * edits loaded cold buckets again, slowing the next ones, until most did.
 *
 * Steady state takes a long warm-up (config editWarmup, 1,000 edits). Until session 11
 * it was 50 edits, and the 500 timed after them were still the start: each device loaded
 * most of its buckets during them (10k records: ~86 of 128), and V8 was still compiling
 * the code they run, on the one helper thread the service gives it (`perf` of A's helper
 * over those edits: 65% of its samples in TurboFan compiling Automerge's wasm, which a
 * fresh instance at each unlock compiles again; 20% compiling JavaScript), taking a core
 * from the threads that answer on a 2-core machine. Those 500 edits are still timed, as the
 * "early" figure (edits 51–550 after the devices met): what editing right after an unlock
 * or a join costs.
 */
import { performance } from "node:perf_hooks"
import type { BenchDevice } from "../bench-device.js"
import { EDIT_EVENT_TIMEOUT_MS } from "../config.js"
import type { BenchContext } from "../context.js"
import type { RecordGenerator } from "../record-generator.js"
import type { JoinedDevice } from "./first-sync.js"

/** A prime stride through the ids: successive edits land in different records and buckets. */
const ID_STRIDE = 7_919
/** Records read ahead (on both devices) at a time, just before their edits. */
const READ_AHEAD_BLOCK = 50
/** Of the warm-up, the edits timed as the "early" figure start after this many (the warm-up of earlier runs), as many as the timed ones. */
const EARLY_EDITS_FROM = 50
/** Edits timed right after both devices locked and unlocked again. */
const COLD_EDITS = 20

interface EditSample {
  eventMs: number
  updateMs: number
}

export async function measureEditLatency(ctx: BenchContext, host: BenchDevice, { device, relay }: JoinedDevice, ids: string[], generator: RecordGenerator): Promise<void> {
  const { editWarmup, edits, records } = ctx.config
  const early = EARLY_EDITS_FROM + edits <= editWarmup ? { from: EARLY_EDITS_FROM, to: EARLY_EDITS_FROM + edits, samples: [] as number[] } : undefined
  const events = new EventWaiter()
  await device.api.subscribe(["record.changed"], (event) => {
    if (event.type === "record.changed" && event.origin === "remote") events.arrived(event.id)
  })
  const edited = Array.from({ length: editWarmup + edits }, (_, i) => ids[(i * ID_STRIDE) % ids.length])
  const samples: EditSample[] = []
  let bytesBefore = 0
  let cpuBefore = { a: 0, b: 0 }
  const readCpu = { a: 0, b: 0 }
  for (let i = 0; i < editWarmup + edits; i++) {
    if (i === editWarmup) {
      bytesBefore = relay.total
      cpuBefore = { a: host.cpuMs(), b: device.cpuMs() }
    }
    if (i % READ_AHEAD_BLOCK === 0) {
      const before = { a: host.cpuMs(), b: device.cpuMs() }
      await readAhead([host, device], edited.slice(i, i + READ_AHEAD_BLOCK))
      if (i >= editWarmup) {
        readCpu.a += host.cpuMs() - before.a
        readCpu.b += device.cpuMs() - before.b
      }
    }
    const sample = await editOnce(host, events, ids[(i * ID_STRIDE) % ids.length], generator)
    if (i >= editWarmup) samples.push(sample)
    else if (early !== undefined && i >= early.from && i < early.to) early.samples.push(sample.eventMs)
  }
  const cpuPerEdit = { a: (host.cpuMs() - cpuBefore.a - readCpu.a) / edits, b: (device.cpuMs() - cpuBefore.b - readCpu.b) / edits }
  const bytesPerEdit = (relay.total - bytesBefore) / edits
  ctx.report.add("edit.event", `edit on A → record.changed on B (${records}-record vault)`, "ms", samples.map((s) => s.eventMs),
    { note: `steady state: one edit at a time after records.get of each record to be edited on both devices (their buckets loaded; ${READ_AHEAD_BLOCK} records at a time, just before their edits) and ${editWarmup} warm-up edits; via a loopback TCP relay in the bench process` })
  ctx.report.add("edit.update", "records.update call on A (round trip)", "ms", samples.map((s) => s.updateMs))
  ctx.report.add("edit.wire", "bytes on the wire per edit (both ways)", "B", [bytesPerEdit], { note: `total over ${edits} edits ÷ ${edits}` })
  addEditCpu(ctx, "edit", "", cpuPerEdit, edits)
  if (early !== undefined) {
    ctx.report.add("edit.event.early", "edit on A → record.changed on B, early: while buckets load and V8 compiles the edit path", "ms", early.samples, {
      note: `edits ${early.from + 1}–${early.to} after the devices met (the figure's timed edits until session 11, after ${early.from} warm-up edits): ` +
        "most buckets are loaded during these, and a fresh Automerge instance (one per unlock) is still being compiled to its fast tier",
    })
  }
  await measureColdEdits(ctx, host, device, events, ids, generator)
}

/** Both devices lock and unlock (every bucket cold), then COLD_EDITS edits are timed one at a time. */
async function measureColdEdits(ctx: BenchContext, host: BenchDevice, device: BenchDevice, events: EventWaiter, ids: string[], generator: RecordGenerator): Promise<void> {
  for (const each of [device, host]) {
    await each.lock()
    await each.unlock()
  }
  const samples: number[] = []
  const offset = Math.floor(ids.length / 2)
  for (let i = 0; i < COLD_EDITS; i++) samples.push((await editOnce(host, events, ids[(i * ID_STRIDE + offset) % ids.length], generator)).eventMs)
  ctx.report.add("edit.event.cold", "edit on A → record.changed on B right after both unlocked (buckets cold)", "ms", samples, {
    note: `${COLD_EDITS} edits in a row after a lock and unlock of both devices: an edit in a bucket not yet loaded there loads it on A and on B ` +
      "(also what an edit costs once its bucket sat idle 30 s and went back to its snapshot)",
  })
}

/** Reads each record in full (records.get) on every device, in turns, which loads their buckets. */
async function readAhead(devices: BenchDevice[], ids: string[]): Promise<void> {
  for (const id of ids) for (const device of devices) await device.api.call("records.get", { id })
}

/** CPU per edit of A and of B (all their threads, over every timed edit ÷ edits): what load on the machine barely moves. */
export function addEditCpu(ctx: BenchContext, key: string, label: string, perEdit: { a: number; b: number }, edits: number): void {
  const note = `CPU time (user + system, /proc, 10 ms ticks) over all ${edits} timed edits ÷ ${edits}; unlike the latency, barely moved by other load`
  ctx.report.add(`${key}.cpu.a`, `${label}CPU per edit on A (the change, its commit, sending it)`, "ms", [perEdit.a], { note })
  ctx.report.add(`${key}.cpu.b`, `${label}CPU per edit on B (receiving, storing, merging, the event)`, "ms", [perEdit.b], { note })
}

async function editOnce(host: BenchDevice, events: EventWaiter, id: string, generator: RecordGenerator): Promise<EditSample> {
  const arrived = events.next(id)
  arrived.catch(() => {}) // awaited below; this only keeps a timeout during the update from counting as unhandled
  const started = performance.now()
  await host.api.call("records.update", { id, set: { fields: { password: generator.password() } } })
  const updateMs = performance.now() - started
  const eventAt = await arrived
  return { eventMs: eventAt - started, updateMs }
}

/** One awaited event at a time: resolves with the time the event for `id` arrived. */
class EventWaiter {
  private waiting: { id: string; resolve: (at: number) => void; timer: NodeJS.Timeout } | undefined

  next(id: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record.changed for ${id} on B within ${EDIT_EVENT_TIMEOUT_MS} ms`)), EDIT_EVENT_TIMEOUT_MS)
      this.waiting = { id, resolve, timer }
    })
  }

  arrived(id: string): void {
    const at = performance.now()
    if (this.waiting?.id !== id) return
    clearTimeout(this.waiting.timer)
    this.waiting.resolve(at)
    this.waiting = undefined
  }
}
