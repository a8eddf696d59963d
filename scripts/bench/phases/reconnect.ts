/**
 * One new edit when N entries are already in sync: two paired devices in sync,
 * B stopped, ONE edit on A, B started again. Timed from spawning B's daemon to
 * its devices.list showing A's new head; bytes are what crossed the relay (B's
 * only link to A) meanwhile. Should not grow with N: sync is O(missing), not O(all).
 */
import { performance } from "node:perf_hooks"
import { setTimeout as sleep } from "node:timers/promises"
import type { BenchDevice } from "../bench-device.js"
import { SEED } from "../config.js"
import { check, type BenchContext } from "../context.js"
import { RecordGenerator } from "../record-generator.js"
import { createAll } from "./put-and-list.js"
import type { JoinedDevice } from "./first-sync.js"

/** Finer than the first sync's polling: this figure is a few hundred ms. */
const RECONNECT_POLL_MS = 5
const CREATE_CONCURRENCY = 16
const CREATE_CHUNK = 1_000

/** Stops B, edits one record on A, starts B, waits for the entry: `config.reconnectReps` times. */
export async function measureReconnect(ctx: BenchContext, host: BenchDevice, { device, relay }: JoinedDevice, ids: string[], generator: RecordGenerator, entries: number): Promise<void> {
  const hostId = await host.deviceId()
  const rounds: number[] = []
  const starts: number[] = []
  const bytes: number[] = []
  const cpu: number[] = []
  for (let r = 0; r < ctx.config.reconnectReps; r++) {
    await device.stop()
    await host.api.call("records.update", { id: ids[(r * 7_919) % ids.length], set: { fields: { password: generator.password() } } })
    const head = await host.ownHead()
    const bytesBefore = relay.total
    const started = performance.now()
    starts.push(await device.start())
    const deadline = started + ctx.config.syncTimeoutMs
    while ((await device.seqOf(hostId)) < head) {
      if (performance.now() > deadline) throw new Error(`the reconnect sync did not finish within ${ctx.config.syncTimeoutMs} ms`)
      await sleep(RECONNECT_POLL_MS)
    }
    rounds.push(performance.now() - started)
    cpu.push(device.cpuMs())
    await sleep(50) // let the last acknowledgements cross the relay before reading its count
    bytes.push(relay.total - bytesBefore)
    check(bytes[r] > 0, "the reconnect went through the relay")
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  ctx.report.add(`reconnect.${entries}.ms`, `one new edit, ${entries} entries in sync: B's daemon start → has it`, "ms", rounds, {
    note: `B stopped, one records.update on A, B started: from spawning B's daemon until its devices.list shows A's head (${RECONNECT_POLL_MS} ms polling); ` +
      `B's start alone (spawn → socket answers) took ${Math.round(median(starts))} ms of it (median); daemon CPU is B's, start included`,
    cpuMs: cpu,
  })
  ctx.report.add(`reconnect.${entries}.wire`, `one new edit, ${entries} entries in sync: bytes on the wire`, "B", bytes,
    { note: "both ways over the reconnect (handshake, heads exchange, the one entry)" })
}

/** A separate pair of devices holding `entries` records, in sync; for the reconnect figure at another size. */
export async function measureReconnectAt(ctx: BenchContext, entries: number): Promise<void> {
  ctx.progress(`reconnect at ${entries} entries: creating a vault`)
  const generator = new RecordGenerator(SEED)
  const host = await ctx.lab.device(`host${entries}`)
  await host.init()
  await host.start()
  await host.unlock()
  const ids: string[] = []
  for (let done = 0; done < entries; done += CREATE_CHUNK) {
    const batch = Array.from({ length: Math.min(CREATE_CHUNK, entries - done) }, () => generator.next())
    ids.push(...(await createAll(host, batch, CREATE_CONCURRENCY)).ids)
  }
  const device = await ctx.lab.device(`peer${entries}`)
  const relay = await ctx.lab.relay(host.port)
  await device.joinThrough(host, relay.port)
  await device.start()
  const hostId = await host.deviceId()
  const head = await host.ownHead()
  const deadline = performance.now() + ctx.config.syncTimeoutMs
  while ((await device.seqOf(hostId)) < head) {
    if (performance.now() > deadline) throw new Error(`the first sync of ${entries} entries did not finish`)
    await sleep(RECONNECT_POLL_MS * 4)
  }
  ctx.progress(`reconnect at ${entries} entries`)
  await measureReconnect(ctx, host, { device, relay }, ids, generator, entries)
  await ctx.lab.retire(device)
  await ctx.lab.retire(host)
}
