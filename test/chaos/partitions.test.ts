import { afterAll, beforeAll, expect, it } from "vitest"
import type { LanvaultClient } from "../../src/api/client.js"
import type { ParamsOf, ResultOf } from "../../src/api/protocol.js"
import type { LanvaultError } from "../../src/errors.js"
import type { HistoryEntry, VaultRecord } from "../../src/merge/types.js"
import type { TestHosts } from "../hosts/netns.js"
import { waitFor } from "../e2e/helpers/cli.js"
import { chaosSeed, describeChaos, log, Rng, sized, sleep, trialSeed } from "./helpers/chaos-env.js"
import { heal, tearDown, linkedDevices } from "./helpers/netns-lab.js"
import type { NetnsVault } from "./helpers/netns-vault.js"
import type { NetworkFaults } from "./helpers/network-faults.js"
import { canonicalJson, readVault } from "./helpers/record-model.js"

/**
 * Convergence under partitions (issue 7): 3 (ci) or 5 (full) daemons on netns hosts that find
 * each other by real mDNS go through a seeded random schedule of concurrent
 * edits (same field, different fields, titles, notes, trash vs edit, creates),
 * link cuts, packet loss and delay, clean and `kill -9` restarts, lock and
 * unlock; then everything heals. All devices must end with identical records,
 * and every value any device ever acknowledged for a field must be current or in
 * that record's history. Each run prints its seed; LANVAULT_CHAOS_SEED replays it.
 */

/** Hosts on the test LAN (the issue asks for 3 to 5). */
const HOSTS = sized({ ci: 3, full: 5 })
const RUNS = sized({ ci: 4, full: 12 })
const STEPS = sized({ ci: 60, full: 200 })
const INITIAL_RECORDS = 5
const STEP_PAUSE_MS = { min: 20, max: 450 }
const CONVERGE_TIMEOUT_MS = sized({ ci: 150_000, full: 240_000 })
const CALL_TIMEOUT_MS = 30_000
/** Each run: its steps (≈ 0.4 s each, restarts included) and, at worst, the whole convergence wait. */
const RUN_TIMEOUT_MS = RUNS * (STEPS * 1_000 + CONVERGE_TIMEOUT_MS)
/** Loss and delay of an impaired host (the issue's `netem loss 10% delay 50ms`). */
const IMPAIRMENT = { lossPercent: 10, delayMs: 50 }

/** A value a device acknowledged for a field ("title" = the title). */
interface Ack {
  id: string
  field: string
  value: string
  device: string
  step: number
}

interface RunState {
  rng: Rng
  step: number
  acks: Ack[]
  /** Record ids the schedule knows (created somewhere and acknowledged). */
  ids: string[]
  counts: Record<string, number>
}

describeChaos("mDNS hosts converge through partitions, loss, restarts and locks", () => {
  let hosts: TestHosts
  let devices: NetnsVault[] = []
  let faults: NetworkFaults

  beforeAll(async () => {
    ;({ hosts, devices, faults } = await linkedDevices(HOSTS))
    log(`partitions: ${HOSTS} hosts on ${hosts.subnet}, loss and delay by ${await faults.method()}`)
  }, 180_000)

  afterAll(() => tearDown({ hosts, devices, faults }), 60_000)

  it(`${RUNS} seeded runs of ${STEPS} steps: identical records everywhere after healing, no acknowledged value lost`, async () => {
    const seed = chaosSeed("partitions")
    const failures: string[] = []
    let converged = 0
    let acknowledged = 0
    for (let run = 0; run < RUNS; run++) {
      const runSeed = trialSeed(seed, run)
      const started = Date.now()
      const state: RunState = { rng: new Rng(runSeed), step: 0, acks: [], ids: [], counts: {} }
      const label = `run ${run} (LANVAULT_CHAOS_SEED=${runSeed})`
      await seedRecords(devices[run % devices.length], state)
      await waitFor(async () => (await Promise.all(devices.map((d) => hasAll(d, state.ids)))).every(Boolean), "the initial records everywhere", 60_000)
      for (state.step = 1; state.step <= STEPS; state.step++) {
        await step(devices, faults, state)
        await sleep(state.rng.int(STEP_PAUSE_MS.min, STEP_PAUSE_MS.max))
      }
      const scheduleDone = Date.now()
      await heal(devices, faults)
      const result = await converge(devices)
      acknowledged += state.acks.length
      if (!result.converged) {
        failures.push(`${label}: did not converge within ${CONVERGE_TIMEOUT_MS / 1000} s: ${result.detail}`)
        log(devices.map((d) => `--- ${d.name} output:\n${d.output.slice(-4_000)}`).join("\n"))
        break
      }
      converged += 1
      if (result.historyDiffers) failures.push(`${label}: records identical but histories differ: ${result.historyDiffers}`)
      for (const problem of lostAcks(state.acks, result.records, result.history)) failures.push(`${label}: ${problem}`)
      log(
        `partitions ${label}: ${STEPS} steps in ${((scheduleDone - started) / 1000).toFixed(1)} s, converged ${((Date.now() - scheduleDone) / 1000).toFixed(1)} s after healing, ` +
          `${result.records.size} records, ${state.acks.length} acknowledged values; actions ${JSON.stringify(state.counts)}`,
      )
    }
    log(`partitions: converged runs ${converged} of ${RUNS}; ${acknowledged} acknowledged values checked; ${failures.length} failures`)
    expect(failures).toEqual([])
    expect(converged).toBe(RUNS)
  }, RUN_TIMEOUT_MS)
})

async function hasAll(device: NetnsVault, ids: string[]): Promise<boolean> {
  const list = await device.client!.call("records.list", {})
  const trash = await device.client!.call("records.list", { trash: true })
  const have = new Set([...list, ...trash].map((r) => r.id))
  return ids.every((id) => have.has(id))
}

async function seedRecords(device: NetnsVault, state: RunState): Promise<void> {
  for (let i = 0; i < INITIAL_RECORDS; i++) {
    const title = `s${state.rng.seed}-r${i}`
    const password = `initial-${state.rng.word(10)}`
    const { id } = await device.client!.call("records.create", {
      record: { type: "login", title, fields: { username: { value: `user${i}`, kind: "text" }, password: { value: password, kind: "secret" } }, notes: "first line\n" },
    })
    state.ids.push(id)
    state.acks.push({ id, field: "title", value: title, device: device.name, step: 0 }, { id, field: "password", value: password, device: device.name, step: 0 })
  }
}

/** One step of the schedule: a seeded choice among edits, faults, restarts and locks. */
async function step(devices: NetnsVault[], faults: NetworkFaults, state: RunState): Promise<void> {
  const { rng } = state
  // Edits go to a device that can take them when there is one; faults and restarts hit any.
  const writable = devices.filter((d) => d.running && !d.locked)
  const anyDevice = rng.pick(devices)
  const writer = writable.length > 0 ? rng.pick(writable) : anyDevice
  const id = rng.pick(state.ids)
  const roll = rng.next()
  const count = (what: string) => (state.counts[what] = (state.counts[what] ?? 0) + 1)
  const tag = `s${rng.seed % 10_000}.${state.step}`
  if (roll < 0.2) {
    count("same-field edit")
    await edit(writer, state, id, "password", `${tag}-${writer.name}-${rng.word(6)}`)
  } else if (roll < 0.28) {
    count("racing edits")
    // The same field of the same record on every running device at once.
    await Promise.all(devices.map((d) => edit(d, state, id, "password", `${tag}-race-${d.name}`)))
  } else if (roll < 0.38) {
    count("own-field edit")
    await edit(writer, state, id, `f-${writer.name}`, `${tag}-${rng.word(6)}`)
  } else if (roll < 0.43) {
    count("title edit")
    await edit(writer, state, id, "title", `${tag} title by ${writer.name}`)
  } else if (roll < 0.5) {
    count("notes edit")
    await call(writer, state, "records.update", { id, set: { notes: `${tag} note by ${writer.name}\n${rng.word(20)}` } })
  } else if (roll < 0.55) {
    count("trash")
    await call(writer, state, "records.delete", { id })
  } else if (roll < 0.58) {
    count("restore")
    await call(writer, state, "records.update", { id, set: { trashed: false } })
  } else if (roll < 0.63) {
    count("create")
    const title = `${tag} new on ${writer.name}`
    const password = rng.word(16)
    const created = await call(writer, state, "records.create", { record: { type: "login", title, fields: { password: { value: password, kind: "secret" } } } })
    if (created) {
      state.ids.push(created.id)
      state.acks.push({ id: created.id, field: "title", value: title, device: writer.name, step: state.step }, { id: created.id, field: "password", value: password, device: writer.name, step: state.step })
    }
  } else if (roll < 0.7) {
    // At most all hosts but one cut at once: some devices always share the LAN.
    if (!faults.cut.has(anyDevice.host.name) && faults.cut.size < devices.length - 1) {
      count("link cut")
      await faults.cutLink(anyDevice.host)
    }
  } else if (roll < 0.76) {
    const cut = devices.filter((d) => faults.cut.has(d.host.name))
    if (cut.length > 0) {
      count("link restored")
      await faults.restoreLink(rng.pick(cut).host)
    }
  } else if (roll < 0.8) {
    count("loss+delay on")
    await faults.impair(anyDevice.host, IMPAIRMENT)
  } else if (roll < 0.83) {
    count("loss+delay off")
    await faults.clearImpairment(anyDevice.host)
  } else if (roll < 0.88) {
    if (anyDevice.running && devices.filter((d) => d.running).length > 1) {
      const signal = rng.chance(0.5) ? "SIGKILL" : "SIGTERM"
      count(`daemon stop ${signal}`)
      await anyDevice.stop(signal)
    }
  } else if (roll < 0.94) {
    const down = devices.filter((d) => !d.running)
    if (down.length > 0) {
      count("daemon start")
      const target = rng.pick(down)
      await target.start()
      if (rng.chance(0.7)) await target.unlock()
    }
  } else if (roll < 0.97) {
    if (anyDevice.running && !anyDevice.locked) {
      count("lock")
      await anyDevice.lock()
    }
  } else if (anyDevice.running && anyDevice.locked) {
    count("unlock")
    await anyDevice.unlock()
  }
}

async function edit(device: NetnsVault, state: RunState, id: string, field: string, value: string): Promise<void> {
  const params = field === "title" ? { id, set: { title: value } } : { id, set: { fields: { [field]: { value, kind: "secret" as const } } } }
  const updated = await call(device, state, "records.update", params)
  if (updated) state.acks.push({ id, field, value, device: device.name, step: state.step })
}

/**
 * A call on a device that may be down or locked, or may not hold the record yet:
 * those answers (and only those) are expected refusals; the result is undefined.
 */
async function call<M extends "records.update" | "records.create" | "records.delete">(
  device: NetnsVault,
  state: RunState,
  method: M,
  params: ParamsOf<M>,
): Promise<ResultOf<M> | undefined> {
  if (!device.running || device.locked || !device.client) return undefined
  try {
    return await device.client.call(method, params, { timeoutMs: CALL_TIMEOUT_MS })
  } catch (error) {
    const code = (error as LanvaultError).code
    if (code === "NOT_FOUND" || code === "LOCKED") return undefined
    throw new Error(`${device.name} step ${state.step}: ${method} failed with ${code}: ${(error as Error).message}`)
  }
}

interface Converged {
  converged: boolean
  detail: string
  records: Map<string, VaultRecord>
  history: Map<string, HistoryEntry[]>
  historyDiffers?: string
}

/** Waits until every device holds the same records (list + get of each); then compares histories. */
async function converge(devices: NetnsVault[]): Promise<Converged> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS
  let detail = ""
  for (;;) {
    const vaults = await Promise.all(devices.map((d) => readVault(d.client!)))
    const prints = vaults.map((v) => canonicalJson([...v.values()].sort((a, b) => a.id.localeCompare(b.id))))
    if (prints.every((p) => p === prints[0])) {
      const histories = await Promise.all(devices.map((d) => readHistories(d.client!, [...vaults[0].keys()])))
      const historyPrints = histories.map((h) => canonicalJson([...h].sort(([a], [b]) => a.localeCompare(b))))
      const historyDiffers = historyPrints.every((p) => p === historyPrints[0]) ? undefined : firstDifference(historyPrints)
      return { converged: true, detail: "", records: vaults[0], history: histories[0], historyDiffers }
    }
    detail = devices.map((d, i) => `${d.name}: ${vaults[i].size} records`).join(", ") + `; first difference: ${firstDifference(prints)}`
    if (Date.now() > deadline) return { converged: false, detail, records: vaults[0], history: new Map() }
    await sleep(1_000)
  }
}

async function readHistories(client: LanvaultClient, ids: string[]): Promise<Map<string, HistoryEntry[]>> {
  const out = new Map<string, HistoryEntry[]>()
  for (const id of ids) out.set(id, await client.call("records.history", { id }))
  return out
}

function firstDifference(prints: string[]): string {
  const [a, b] = [prints[0], prints.find((p) => p !== prints[0]) ?? ""]
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  return `…${a.slice(Math.max(0, i - 80), i + 120)}… vs …${b.slice(Math.max(0, i - 80), i + 120)}…`
}

/** Every acknowledged value is current or in its record's history; the record itself still exists. */
function lostAcks(acks: Ack[], records: Map<string, VaultRecord>, history: Map<string, HistoryEntry[]>): string[] {
  const lost: string[] = []
  for (const ack of acks) {
    const record = records.get(ack.id)
    if (!record) {
      lost.push(`LOST record ${ack.id} (acknowledged ${ack.field} on ${ack.device} at step ${ack.step}) is gone`)
      continue
    }
    const current = ack.field === "title" ? record.title : record.fields[ack.field]?.value
    if (current === ack.value) continue
    if ((history.get(ack.id) ?? []).some((h) => h.field === ack.field && h.value === ack.value)) continue
    lost.push(`LOST ${ack.field}="${ack.value}" of record ${ack.id} (acknowledged by ${ack.device} at step ${ack.step}): neither current (${current}) nor in history`)
  }
  return lost
}
