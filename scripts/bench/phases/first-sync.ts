/**
 * Figure 5: first sync to a newly joined device. A holds the vault; a new device
 * joins through a counting relay; the clock starts just before its daemon is
 * spawned and stops when its devices.list shows A's head. Then its first unlock
 * (no snapshot yet: it replays every entry it received).
 */
import { performance } from "node:perf_hooks"
import { setTimeout as sleep } from "node:timers/promises"
import type { BenchDevice, Measured } from "../bench-device.js"
import type { ByteRelay } from "../byte-relay.js"
import { SYNC_POLL_MS } from "../config.js"
import { check, type BenchContext } from "../context.js"

const BYTES_PER_MIB = 1024 * 1024

/** A joined device, synced and unlocked, and the relay its only link to A goes through. */
export interface JoinedDevice {
  device: BenchDevice
  relay: ByteRelay
}

interface SyncSample {
  syncMs: number
  /** CPU the new daemon used from its start to the end of the sync. */
  syncCpuMs: number
  /** CPU the host's daemon used serving it meanwhile. */
  hostCpuMs: number
  wireMiB: number
  unlock: Measured
}

/** Joins `config.firstSyncReps` devices one after another; keeps the last (synced, unlocked) for the edit figure. */
export async function measureFirstSync(ctx: BenchContext, host: BenchDevice): Promise<JoinedDevice> {
  const { firstSyncReps, records } = ctx.config
  const samples: SyncSample[] = []
  let joined: JoinedDevice | undefined
  for (let r = 0; r < firstSyncReps; r++) {
    if (joined) await ctx.lab.retire(joined.device)
    joined = await joinNewDevice(ctx, host, `joiner${r + 1}`)
    samples.push(await syncAndUnlock(ctx, host, joined))
    ctx.progress(`first sync ${r + 1}/${firstSyncReps}: ${Math.round(samples[r].syncMs)} ms, unlock ${Math.round(samples[r].unlock.ms)} ms`)
  }
  const head = await host.ownHead()
  ctx.report.add("sync.first", `first sync of ${records} records to a new device`, "ms", samples.map((s) => s.syncMs), {
    note: `${head} log entries; from spawning the new daemon (incl. its start, ≈ the daemon start figure) until its devices.list shows A's head; ` +
      `${SYNC_POLL_MS} ms polling; daemon CPU is the new device's, start included`,
    cpuMs: samples.map((s) => s.syncCpuMs),
  })
  ctx.report.add("sync.first.host-cpu", "first sync: CPU of A's daemon serving it", "ms", samples.map((s) => s.hostCpuMs))
  ctx.report.add("sync.first.wire", "first sync bytes on the wire (both ways)", "MiB", samples.map((s) => s.wireMiB))
  ctx.report.add("unlock.joined", `first unlock of the new device (${records} records)`, "ms", samples.map((s) => s.unlock.ms), {
    note: "no snapshot yet: replays every entry received, then writes one",
    cpuMs: samples.map((s) => s.unlock.cpuMs),
  })
  return joined!
}

async function joinNewDevice(ctx: BenchContext, host: BenchDevice, name: string): Promise<JoinedDevice> {
  const device = await ctx.lab.device(name)
  const relay = await ctx.lab.relay(host.port)
  // Joined through the relay, the new device remembers the relay as A's address: every byte between them passes it.
  await device.joinThrough(host, relay.port)
  return { device, relay }
}

async function syncAndUnlock(ctx: BenchContext, host: BenchDevice, { device, relay }: JoinedDevice): Promise<SyncSample> {
  const hostId = await host.deviceId()
  const head = await host.ownHead()
  const bytesBefore = relay.total
  const hostCpuBefore = host.cpuMs()
  const started = performance.now()
  await device.start()
  const deadline = started + ctx.config.syncTimeoutMs
  while ((await device.seqOf(hostId)) < head) {
    if (performance.now() > deadline) throw new Error(`first sync did not finish within ${ctx.config.syncTimeoutMs} ms`)
    await sleep(SYNC_POLL_MS)
  }
  const syncMs = performance.now() - started
  const sample = { syncMs, syncCpuMs: device.cpuMs(), hostCpuMs: host.cpuMs() - hostCpuBefore, wireMiB: (relay.total - bytesBefore) / BYTES_PER_MIB }
  const unlock = await device.unlockMeasured()
  check(await device.recordCount() === ctx.config.records, `the new device holds ${ctx.config.records} records after unlock`)
  return { ...sample, unlock }
}
