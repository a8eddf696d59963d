/**
 * Figure 3: unlock (KDF + load) — of an empty vault (the KDF floor), right after
 * a lock (which wrote the snapshot), in a fresh process after kill -9 (snapshot
 * on disk), and in a fresh process with the snapshot gone (full log replay).
 */
import { setTimeout as sleep } from "node:timers/promises"
import { PLAIN_LAUNCH, type BenchDevice, type Measured } from "../bench-device.js"
import { check, type BenchContext } from "../context.js"
import { sampleMemory } from "./memory.js"

/** The KDF floor: lock/unlock of a vault with no records, after one warm-up unlock. */
export async function measureEmptyUnlock(ctx: BenchContext, device: BenchDevice): Promise<void> {
  await device.unlock()
  const samples: Measured[] = []
  for (let i = 0; i < ctx.config.unlockReps; i++) {
    await device.lock()
    samples.push(await device.unlockMeasured())
  }
  addMeasured(ctx, "unlock.empty", "unlock, empty vault (scrypt KDF floor)", samples)
}

/**
 * Lock/unlock cycles in the same (warm) process. Each cycle first edits one
 * record, so the lock has an entry pending and writes the snapshot, as a lock
 * after a day's edits does (after exactly N creates the periodic snapshot has
 * just run and a lock writes nothing). The vault locks at once and writes the
 * snapshot in slices (other calls are answered meanwhile); the lock call answers
 * once it is on disk.
 */
export async function measureUnlockAfterLock(ctx: BenchContext, device: BenchDevice, editId: string): Promise<void> {
  const { records, unlockReps } = ctx.config
  const locks: Measured[] = []
  const unlocks: Measured[] = []
  for (let i = 0; i < unlockReps; i++) {
    await device.api.call("records.update", { id: editId, set: { fields: { password: { value: `lock-cycle-${i}`, kind: "secret" } } } })
    locks.push(await device.lock())
    unlocks.push(await device.unlockMeasured())
    check(await device.recordCount() === records, `unlock after lock loads ${records} records`)
  }
  addMeasured(ctx, "lock.snapshot", `lock, writing the snapshot of ${records} records (in slices: other calls answered meanwhile)`, locks)
  addMeasured(ctx, "unlock.after-lock", `unlock ${records} records right after a lock (snapshot)`, unlocks, "same daemon process as the creates")
}

/** A replay writes a new snapshot afterwards (in slices): its RSS is read once that is done, as a daemon then sits. */
const SETTLE_AFTER_REPLAY_MS = 5_000

/**
 * kill -9, restart, unlock, in a fresh process each time: with the snapshot
 * on disk, then with the snapshot rows deleted so the whole log is replayed.
 */
export async function measureUnlockAfterKill(ctx: BenchContext, device: BenchDevice): Promise<void> {
  const { records, unlockReps } = ctx.config
  const starts: number[] = []
  const withSnapshot: Measured[] = []
  const replay: Measured[] = []
  for (let i = 0; i < unlockReps; i++) withSnapshot.push(await killAndUnlock(ctx, device, false, starts))
  const memory = await sampleMemory(ctx, device)
  // The same, started as a plain `lanvault daemon` (every other daemon of the bench runs as the service does), before
  // the replays below: a kill -9 right after one can leave the vault without a snapshot, and this would measure a replay.
  await device.kill()
  await device.start([], {}, PLAIN_LAUNCH)
  await device.unlockMeasured()
  check(await device.recordCount() === records, `unlock as a plain daemon loads ${records} records`)
  const plain = await sampleMemory(ctx, device)
  ctx.report.add("rss.fresh-unlock.plain", `daemon RSS, fresh process unlocked with ${records} records, ${PLAIN_LAUNCH.label}`, "MiB", plain.rss)
  for (let i = 0; i < unlockReps; i++) replay.push(await killAndUnlock(ctx, device, true, starts))
  await sleep(SETTLE_AFTER_REPLAY_MS)
  const afterReplay = await sampleMemory(ctx, device)
  addMeasured(ctx, "unlock.after-kill", `unlock ${records} records after kill -9 + restart (snapshot)`, withSnapshot,
    "fresh daemon process each time; the snapshot written at the last lock covers every entry, so nothing is replayed")
  addMeasured(ctx, "unlock.full-replay", `unlock ${records} records after kill -9, snapshot deleted (full replay)`, replay,
    `fresh process; replays every log entry (verify + decrypt + applyChanges), then writes a new snapshot`)
  ctx.report.add("rss.fresh-unlock", `daemon RSS, fresh process unlocked with ${records} records`, "MiB", memory.rss)
  ctx.report.add("rss.full-replay", `daemon RSS, fresh process unlocked with ${records} records by a full replay, ${SETTLE_AFTER_REPLAY_MS / 1_000} s later`, "MiB", afterReplay.rss)
  ctx.report.add("daemon.start", "daemon start (spawn → socket answers, 5 ms polling)", "ms", starts)
}

async function killAndUnlock(ctx: BenchContext, device: BenchDevice, dropSnapshots: boolean, starts: number[]): Promise<Measured> {
  await device.kill()
  if (dropSnapshots) device.dropSnapshots()
  starts.push(await device.start())
  const measured = await device.unlockMeasured()
  check(await device.recordCount() === ctx.config.records, `unlock after kill -9 loads ${ctx.config.records} records`)
  ctx.progress(`unlock after kill -9${dropSnapshots ? " (full replay)" : ""}: ${Math.round(measured.ms)} ms, daemon CPU ${measured.cpuMs} ms`)
  return measured
}

function addMeasured(ctx: BenchContext, key: string, label: string, samples: Measured[], note?: string): void {
  ctx.report.add(key, label, "ms", samples.map((s) => s.ms), { note, cpuMs: samples.map((s) => s.cpuMs) })
}
