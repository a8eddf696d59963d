/**
 * The baseline: automerge-repo (Repo + NodeFSStorageAdapter + its WebSocket
 * adapter) syncing the same generated records between two child processes on
 * loopback, through the same kind of counting relay as lanvault's devices.
 *
 * Per variant (one document holding the map of records; the records spread over
 * bucket documents): A creates the records (one change per record, like a
 * person adding them over time), then fresh peers B connect one after another —
 * first sync, timed from the bench's "connect" command to B's documents holding
 * every record — and the last B takes the edit figure: a change on A → the
 * `change` event on B, one at a time.
 */
import { performance } from "node:perf_hooks"
import { AutomergeRepoPeer } from "../automerge-repo-process.js"
import type { ByteRelay } from "../byte-relay.js"
import { EDIT_EVENT_TIMEOUT_MS } from "../config.js"
import { check, type BenchContext } from "../context.js"
import type { RecordGenerator } from "../record-generator.js"
import { addEditCpu } from "./edit-latency.js"

const BYTES_PER_MIB = 1024 * 1024
/** Same stride through the ids as lanvault's edit figure. */
const ID_STRIDE = 7_919

export interface AutomergeVariant {
  key: string
  label: string
  docs: number
}

export const AUTOMERGE_VARIANTS: readonly AutomergeVariant[] = [
  { key: "one-doc", label: "one document", docs: 1 },
  { key: "buckets", label: "64 bucket documents", docs: 64 },
]

/** Every automerge-repo peer process is stopped whatever happens. */
export class AutomergePeers {
  private readonly peers = new Set<AutomergeRepoPeer>()

  async spawn(name: string): Promise<AutomergeRepoPeer> {
    const peer = await AutomergeRepoPeer.spawn(name)
    this.peers.add(peer)
    return peer
  }

  async retire(peer: AutomergeRepoPeer): Promise<void> {
    await peer.stop()
    this.peers.delete(peer)
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled([...this.peers].map((p) => p.stop()))
    this.peers.clear()
  }
}

export async function measureAutomergeRepo(ctx: BenchContext, peers: AutomergePeers, variant: AutomergeVariant, generator: RecordGenerator): Promise<void> {
  const { records, firstSyncReps } = ctx.config
  const label = `automerge-repo (${variant.label})`
  const host = await peers.spawn(`am-${variant.key}-a`)
  const { port } = await host.call({ op: "listen" }) as unknown as { port: number }
  ctx.progress(`${label}: creating ${records} records on A`)
  const cpuBefore = host.cpuMs()
  const createStarted = performance.now()
  const batch = ctx.config.automergeCreateBatch
  const { urls, ids } = await host.call({ op: "create", records, docs: variant.docs, batch }) as unknown as { urls: string[]; ids: string[] }
  const createMs = performance.now() - createStarted
  ctx.report.add(`am.${variant.key}.create`, `${label}: create ${records} records on A, ${batch === 1 ? "one change each" : `${batch} per change`}`, "ms", [createMs],
    { note: "until repo.flush() has written them to storage", cpuMs: [host.cpuMs() - cpuBefore] })
  const relay = await ctx.lab.relay(port)

  const syncMs: number[] = []
  const syncCpu: number[] = []
  const hostCpu: number[] = []
  const wire: number[] = []
  const rss: number[] = []
  let joined: AutomergeRepoPeer | undefined
  for (let r = 0; r < firstSyncReps; r++) {
    if (joined) await peers.retire(joined)
    joined = await peers.spawn(`am-${variant.key}-b${r + 1}`)
    const bytesBefore = relay.total
    const hostCpuBefore = host.cpuMs()
    const cpuBeforeSync = joined.cpuMs()
    const started = performance.now()
    const synced = await joined.call({ op: "sync", url: `ws://127.0.0.1:${relay.port}`, urls, records }) as unknown as { records: number }
    syncMs.push(performance.now() - started)
    syncCpu.push(joined.cpuMs() - cpuBeforeSync)
    hostCpu.push(host.cpuMs() - hostCpuBefore)
    wire.push((relay.total - bytesBefore) / BYTES_PER_MIB)
    rss.push(joined.memoryMiB().rss)
    check(synced.records === records, `${label}: B holds ${records} records after the first sync`)
    ctx.progress(`${label}: first sync ${r + 1}/${firstSyncReps}: ${Math.round(syncMs[r])} ms`)
  }
  ctx.report.add(`am.${variant.key}.first-sync`, `${label}: first sync of ${records} records to a new peer`, "ms", syncMs, {
    note: `from the "connect" command to B (its process already running, modules loaded) until B's ${variant.docs === 1 ? "document holds" : "documents hold"} every record; ` +
      "B makes its Repo, dials A's WebSocketServerAdapter, finds the document(s); daemon CPU is B's",
    cpuMs: syncCpu,
  })
  ctx.report.add(`am.${variant.key}.first-sync.host-cpu`, `${label}: first sync: CPU of A serving it`, "ms", hostCpu)
  ctx.report.add(`am.${variant.key}.first-sync.wire`, `${label}: first sync bytes on the wire (both ways)`, "MiB", wire)
  ctx.report.add(`am.${variant.key}.rss`, `${label}: RSS of B after the first sync (${records} records)`, "MiB", rss)
  await measureEdits(ctx, label, variant, host, joined!, relay, ids, generator)
}

async function measureEdits(ctx: BenchContext, label: string, variant: AutomergeVariant, host: AutomergeRepoPeer, peer: AutomergeRepoPeer, relay: ByteRelay, ids: string[], generator: RecordGenerator): Promise<void> {
  const { editWarmup, edits } = ctx.config
  ctx.progress(`${label}: edit latency`)
  let waiting: { id: string; resolve: (at: number) => void } | undefined
  peer.onChanged((changed) => {
    const at = performance.now()
    if (waiting && changed.includes(waiting.id)) {
      waiting.resolve(at)
      waiting = undefined
    }
  })
  const samples: number[] = []
  const updates: number[] = []
  let bytesBefore = 0
  let cpuBefore = { a: 0, b: 0 }
  for (let i = 0; i < editWarmup + edits; i++) {
    if (i === editWarmup) {
      bytesBefore = relay.total
      cpuBefore = { a: host.cpuMs(), b: peer.cpuMs() }
    }
    const id = ids[(i * ID_STRIDE) % ids.length]
    let timer: NodeJS.Timeout | undefined
    const arrived = new Promise<number>((resolve, reject) => {
      waiting = { id, resolve }
      timer = setTimeout(() => reject(new Error(`${label}: no change event for ${id} on B within ${EDIT_EVENT_TIMEOUT_MS} ms`)), EDIT_EVENT_TIMEOUT_MS)
    })
    arrived.catch(() => {})
    const started = performance.now()
    await host.call({ op: "edit", id, value: String(generator.password().value) })
    const updateMs = performance.now() - started
    const at = await arrived
    clearTimeout(timer)
    if (i >= editWarmup) {
      samples.push(at - started)
      updates.push(updateMs)
    }
  }
  ctx.report.add(`am.${variant.key}.edit.event`, `${label}: change on A → change event on B`, "ms", samples, {
    note: `one edit (the password field) at a time after ${editWarmup} warm-up edits; timed in the bench from the IPC "edit" command to B's IPC event, ` +
      "like lanvault's socket call → event; automerge-repo throttles each document's sync messages (DocSynchronizer syncDebounceRate, 100 ms, " +
      "not a Repo option): back-to-back edits of one document wait for it, edits spread over bucket documents mostly do not",
  })
  ctx.report.add(`am.${variant.key}.edit.update`, `${label}: handle.change on A (IPC round trip)`, "ms", updates)
  ctx.report.add(`am.${variant.key}.edit.wire`, `${label}: bytes on the wire per edit (both ways)`, "B", [(relay.total - bytesBefore) / edits])
  addEditCpu(ctx, `am.${variant.key}.edit`, `${label}: `, { a: (host.cpuMs() - cpuBefore.a) / edits, b: (peer.cpuMs() - cpuBefore.b) / edits }, edits)
}

/** lanvault ÷ automerge-repo for the first sync and the edit latency (p50 and p99), from figures already in the report. */
export function addRatios(ctx: BenchContext, variants: readonly AutomergeVariant[]): void {
  const figure = (key: string) => ctx.report.figures.find((f) => f.key === key)
  const lvSync = figure("sync.first")
  const lvEdit = figure("edit.event")
  for (const variant of variants) {
    const amSync = figure(`am.${variant.key}.first-sync`)
    const amEdit = figure(`am.${variant.key}.edit.event`)
    if (lvSync && amSync) {
      ctx.report.add(`ratio.${variant.key}.first-sync`, `ratio lanvault ÷ automerge-repo (${variant.label}): first sync`, "×", [lvSync.median / amSync.median], {
        note: `medians; below 1 = lanvault faster (speed-up automerge-repo ÷ lanvault ${(amSync.median / lvSync.median).toFixed(2)}×); lanvault's figure includes its daemon's start, automerge-repo's does not`,
      })
    }
    if (lvEdit && amEdit) {
      ctx.report.add(`ratio.${variant.key}.edit`, `ratio lanvault ÷ automerge-repo (${variant.label}): edit latency p50`, "×", [lvEdit.median / amEdit.median],
        { note: `p99 ratio ${(lvEdit.p99 / amEdit.p99).toFixed(3)}; below 1 = lanvault faster` })
    }
  }
}
