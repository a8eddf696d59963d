/**
 * `node --import tsx scripts/bench-profile.ts [--records N] [--summary-only]`: runs the slow
 * paths of `npm run bench` once each in a daemon profiled by
 * bench/cpu-profile-hook.mjs, stops it cleanly (so the profile is written)
 * and prints where the time went.
 * Profiles stay in bench/profiles/<scenario>/ (open them in Chrome DevTools);
 * --summary-only prints the summaries of the profiles already there.
 *
 * `--only put` stops after the put scenario (the quickest way to profile creates);
 * `--only edit` fills A by one import (not profiled) and profiles only the edits.
 *
 * Scenarios: put (records.create at 16 in flight), unlock (three lock/unlock
 * cycles from the snapshot), replay (unlock with the snapshot deleted),
 * serve (A sending a first sync), first-sync (the new device receiving it),
 * joined-unlock (the new device's first unlock), edit-a and edit-b (edits on A
 * one at a time, each awaited as record.changed on B: both daemons profiled,
 * their start, unlock and sync included; the edit path is what grows with the edits).
 */
import { readdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { BenchDevice } from "./bench/bench-device.js"
import { importRecords } from "./bench/bulk-fill.js"
import { SEED } from "./bench/config.js"
import { formatProfile, summarizeProfile } from "./bench/cpu-profile-summary.js"
import { DeviceLab } from "./bench/device-lab.js"
import { createAll } from "./bench/phases/put-and-list.js"
import { RecordGenerator } from "./bench/record-generator.js"
import { waitFor } from "../test/e2e/helpers/cli.js"

const PROFILE_ROOT = fileURLToPath(new URL("../bench/profiles", import.meta.url))
const PROFILE_HOOK = fileURLToPath(new URL("./bench/cpu-profile-hook.mjs", import.meta.url))
const DEFAULT_RECORDS = 10_000
const PUT_CONCURRENCY = 16
const UNLOCK_CYCLES = 3
const SYNC_TIMEOUT_MS = 300_000
const SCENARIOS = ["put", "unlock", "replay", "serve", "first-sync", "joined-unlock", "edit-a", "edit-b"]
const EDITS = 300
/** A prime stride through the ids, as in the bench's edit figure. */
const ID_STRIDE = 7_919

/** Environment that makes a daemon write its CPU profile into bench/profiles/<scenario>/. */
function profiled(scenario: string): Record<string, string> {
  const dir = join(PROFILE_ROOT, scenario)
  rmSync(dir, { recursive: true, force: true })
  return { NODE_OPTIONS: `--import ${PROFILE_HOOK}`, LANVAULT_BENCH_PROFILE_DIR: dir }
}

function printProfiles(scenario: string): void {
  const dir = join(PROFILE_ROOT, scenario)
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    console.log(`\n${formatProfile(`${scenario} (${file})`, summarizeProfile(join(dir, file)))}`)
  }
}

async function profilePut(alpha: BenchDevice, records: number): Promise<void> {
  await alpha.start([], profiled("put"))
  await alpha.unlock()
  const generator = new RecordGenerator(SEED)
  await createAll(alpha, Array.from({ length: records }, () => generator.next()), PUT_CONCURRENCY)
  await alpha.stop()
}

async function profileUnlock(alpha: BenchDevice): Promise<void> {
  await alpha.start([], profiled("unlock"))
  for (let i = 0; i < UNLOCK_CYCLES; i++) {
    await alpha.unlock()
    await alpha.lock()
  }
  await alpha.stop()
}

async function profileReplay(alpha: BenchDevice): Promise<void> {
  alpha.dropSnapshots()
  await alpha.start([], profiled("replay"))
  await alpha.unlock()
  await alpha.stop()
}

/** A serves a first sync to a new device (both profiled), then the new device's first unlock. */
async function profileFirstSync(lab: DeviceLab, alpha: BenchDevice): Promise<void> {
  await alpha.start([], profiled("serve"))
  await alpha.unlock()
  const alphaId = await alpha.deviceId()
  const head = await alpha.ownHead()
  const beta = await lab.device("beta")
  await beta.joinThrough(alpha)
  await beta.start([], profiled("first-sync"))
  await waitFor(async () => (await beta.seqOf(alphaId)) >= head, "the first sync", SYNC_TIMEOUT_MS)
  await beta.stop()
  await alpha.stop()
  await beta.start([], profiled("joined-unlock"))
  await beta.unlock()
  await beta.stop()
}

/** EDITS edits on A, one at a time, each until record.changed on B (a newly joined device); both daemons profiled. */
async function profileEdits(lab: DeviceLab, alpha: BenchDevice): Promise<void> {
  await alpha.start([], profiled("edit-a"))
  await alpha.unlock()
  const ids = (await alpha.api.call("records.list", {})).map((record) => record.id)
  const beta = await lab.device("editor")
  await beta.joinThrough(alpha)
  await beta.start([], profiled("edit-b"))
  const alphaId = await alpha.deviceId()
  const head = await alpha.ownHead()
  await waitFor(async () => (await beta.seqOf(alphaId)) >= head, "the first sync", SYNC_TIMEOUT_MS)
  await beta.unlock()
  let waiting: { id: string; arrived: () => void } | undefined
  await beta.api.subscribe(["record.changed"], (event) => {
    if (event.type === "record.changed" && event.origin === "remote" && event.id === waiting?.id) waiting.arrived()
  })
  const generator = new RecordGenerator(SEED + 1)
  for (let i = 0; i < EDITS; i++) {
    const id = ids[(i * ID_STRIDE) % ids.length]
    const arrived = new Promise<void>((resolve) => (waiting = { id, arrived: resolve }))
    await alpha.api.call("records.update", { id, set: { fields: { password: generator.password() } } })
    await arrived
  }
  await beta.stop()
  await alpha.stop()
}

async function main(argv: string[]): Promise<void> {
  const recordsFlag = argv.indexOf("--records")
  const records = recordsFlag >= 0 ? Number(argv[recordsFlag + 1]) : DEFAULT_RECORDS
  const lab = new DeviceLab()
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined
  if (!argv.includes("--summary-only")) await runScenarios(lab, records, only)
  const shown = only === "put" ? ["put"] : only === "edit" ? ["edit-a", "edit-b"] : SCENARIOS
  for (const scenario of shown) printProfiles(scenario)
}

async function runScenarios(lab: DeviceLab, records: number, only: string | undefined): Promise<void> {
  try {
    const alpha = await lab.device("alpha")
    await alpha.init()
    if (only === "edit") {
      await alpha.start()
      await alpha.unlock()
      const generator = new RecordGenerator(SEED)
      await importRecords(alpha, Array.from({ length: records }, () => generator.next()), SYNC_TIMEOUT_MS)
      await alpha.stop()
      return await profileEdits(lab, alpha)
    }
    await profilePut(alpha, records)
    if (only === "put") return
    await profileUnlock(alpha)
    await profileReplay(alpha)
    await profileFirstSync(lab, alpha)
    await profileEdits(lab, alpha)
  } finally {
    await lab.cleanup()
  }
}

await main(process.argv.slice(2))
