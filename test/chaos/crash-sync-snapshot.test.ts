import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { expect, it } from "vitest"
import type { LanvaultError } from "../../src/errors.js"
import { waitFor } from "../e2e/helpers/cli.js"
import { chaosSeed, describeChaos, log, Rng, since, sized, sleep, trialSeed } from "./helpers/chaos-env.js"
import { destroyVaultsAfterAll, freshVault, newVault, restart, writeChromeCsv } from "./helpers/vault-fixtures.js"

/**
 * More of crash durability (issue 7): an acknowledged write is fsynced before
 * its answer (what a power cut needs, which `kill -9` cannot show), and `kill -9`
 * during a snapshot (written at lock) and during a sync (either side) leaves a
 * database that opens, holds every acknowledged write and converges.
 * Needs strace. Seeds are printed; LANVAULT_CHAOS_SEED replays the schedule.
 */

/** Time for strace to attach to every thread of the daemon. */
const STRACE_ATTACH_MS = 1_000
const SNAPSHOT_TRIALS = sized({ ci: 5, full: 25 })
const SNAPSHOT_RECORDS = sized({ ci: 2_000, full: 5_000 })
const SYNC_TRIALS = sized({ ci: 4, full: 20 })
/** Records added on one device while the other is down, then synced while one of them is killed. */
const SYNC_BATCH = sized({ ci: 1_500, full: 2_000 })

destroyVaultsAfterAll()

describeChaos("acknowledged means synced to disk", () => {
  it(`every acknowledged write had its WAL fsynced before the answer was sent (power loss, which kill -9 cannot show)`, async () => {
    const vault = await freshVault("fsync")
    const traceFile = join(vault.home, "strace.txt")
    const pid = vault.daemon!.process.pid!
    // The main thread's fsyncs and socket writes, in order; -y names each descriptor's file.
    const strace = spawn("strace", ["-f", "-qq", "-y", "-s", "120", "-e", "trace=fsync,fdatasync,write", "-o", traceFile, "-p", String(pid)], { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    strace.stderr!.on("data", (chunk) => (stderr += chunk))
    await new Promise<void>((resolve, reject) => {
      strace.once("spawn", resolve)
      strace.once("error", (error) => reject(new Error(`strace could not start (Debian: apt-get install strace): ${error.message}`)))
    })
    await sleep(STRACE_ATTACH_MS)
    const writes = 40
    for (let i = 0; i < writes; i++) {
      if (i % 2 === 0) await vault.client!.call("records.create", { record: { type: "note", title: `synced ${i}` } })
      else await vault.client!.call("records.update", { id: (await vault.client!.call("records.list", {}))[0].id, set: { title: `edited ${i}` } })
    }
    const exited = new Promise((resolve) => strace.once("exit", resolve))
    strace.kill("SIGINT")
    await exited
    const lines = readFileSync(traceFile, "utf8").split("\n")
    const answers = lines.filter((line) => /write\(\d+<socket:/.test(line) && /\\"result\\":\{\\"(id|type)\\"/.test(line))
    expect(answers.length, `strace saw no answers: ${stderr}`).toBeGreaterThanOrEqual(writes)
    const main = answers[0].split(" ")[0]
    let syncedSinceAnswer = false
    const unsynced: string[] = []
    for (const line of lines.filter((l) => l.startsWith(`${main} `))) {
      // (A call another thread interrupts is printed "<unfinished ...>": the call was made.)
      if (/f(data)?sync\(\d+<[^>]*vault\.db-wal>/.test(line)) syncedSinceAnswer = true
      else if (answers.includes(line)) {
        if (!syncedSinceAnswer) unsynced.push(line.slice(0, 160))
        syncedSinceAnswer = false
      }
    }
    log(`fsync: ${answers.length} write answers traced, ${unsynced.length} without a WAL fsync before them`)
    expect(unsynced).toEqual([])
  })
})

describeChaos("kill -9 during a snapshot", () => {
  it(`${SNAPSHOT_TRIALS} trials: kill -9 while the lock writes the snapshot of ${SNAPSHOT_RECORDS} records: every acknowledged edit there after a restart`, async () => {
    const seed = chaosSeed("crash-durability snapshot")
    const started = Date.now()
    const vault = await freshVault("snapshot")
    const file = writeChromeCsv(vault.home, "snap", SNAPSHOT_RECORDS)
    expect((await vault.client!.call("import", { path: file, format: "chrome-csv" })).imported).toBe(SNAPSHOT_RECORDS)
    const ids = (await vault.client!.call("records.list", {})).map((r) => r.id)
    const acked = new Map<string, string>()
    const edit = async (rng: Rng, count: number) => {
      for (let i = 0; i < count; i++) {
        const id = rng.pick(ids)
        const value = `snap-${rng.word(12)}`
        await vault.client!.call("records.update", { id, set: { fields: { password: { value, kind: "secret" } } } })
        acked.set(id, value)
      }
    }
    // How long a lock takes when it has a snapshot to write.
    await edit(new Rng(seed), 20)
    const before = Date.now()
    await vault.client!.call("lock", {})
    const lockMs = Math.max(1, Date.now() - before)
    await vault.unlock()
    log(`a lock writing the snapshot of ${SNAPSHOT_RECORDS} records takes ${lockMs} ms`)
    const failures: string[] = []
    for (let trial = 0; trial < SNAPSHOT_TRIALS; trial++) {
      const tseed = trialSeed(seed, trial)
      const rng = new Rng(tseed)
      await edit(rng, rng.int(1, 30))
      const killAfterMs = rng.int(0, Math.round(lockMs * 1.5))
      const locking = vault.client!.call("lock", {}).then(() => "locked", (e: LanvaultError) => e.code)
      await sleep(killAfterMs)
      await vault.kill()
      const label = `trial ${trial} (LANVAULT_CHAOS_SEED=${tseed}, killed after ${killAfterMs} of ~${lockMs} ms, lock answer: ${await locking})`
      try {
        await restart(vault)
      } catch (error) {
        failures.push(`${label}: the daemon did not come back: ${(error as Error).message}`)
        break
      }
      const status = await vault.client!.call("status", {})
      if (status.records !== SNAPSHOT_RECORDS) failures.push(`${label}: ${status.records} records, expected ${SNAPSHOT_RECORDS}`)
      if ((status.unreadableEntries ?? 0) > 0) failures.push(`${label}: ${status.unreadableEntries} unreadable entries`)
      for (const [id, value] of acked) {
        const found = (await vault.client!.call("records.get", { id })).fields.password?.value
        if (found !== value) failures.push(`${label}: LOST the acknowledged password of ${id}: ${found} instead of ${value}`)
      }
    }
    log(`kill during snapshot: ${SNAPSHOT_TRIALS} trials, ${acked.size} acknowledged edits checked after each, ${failures.length} failures, ${since(started)}`)
    expect(failures).toEqual([])
  })
})

describeChaos("kill -9 during a sync", () => {
  it(`${SYNC_TRIALS} trials: either side killed while ${SYNC_BATCH} records sync: the database opens, nothing unreadable, and they converge`, async () => {
    const seed = chaosSeed("crash-durability sync")
    const started = Date.now()
    const a = await freshVault("sync-a")
    const b = await newVault("sync-b")
    await b.joinThrough(a)
    await b.start()
    await b.unlock()
    const failures: string[] = []
    let expected = 0
    for (let trial = 0; trial < SYNC_TRIALS; trial++) {
      const tseed = trialSeed(seed, trial)
      const rng = new Rng(tseed)
      // While b is down, a gets a batch (one import: many entries) and b some edits of its own meanwhile.
      await b.stop()
      const file = writeChromeCsv(a.home, `sync${trial}x${rng.word(4)}`, SYNC_BATCH)
      expect((await a.client!.call("import", { path: file, format: "chrome-csv" })).imported).toBe(SYNC_BATCH)
      expected += SYNC_BATCH
      const victim = rng.chance(0.5) ? b : a
      const killAfterMs = rng.int(20, 1_500)
      const label = `trial ${trial} (LANVAULT_CHAOS_SEED=${tseed}, ${victim.name} killed ${killAfterMs} ms after b started)`
      const syncStart = Date.now()
      await b.start()
      await b.unlock().catch(() => undefined)
      await sleep(Math.max(0, syncStart + killAfterMs - Date.now()))
      await victim.kill()
      try {
        await restart(victim)
        if (victim === a) await b.unlock().catch(() => undefined)
      } catch (error) {
        failures.push(`${label}: the daemon did not come back: ${(error as Error).message}`)
        break
      }
      try {
        await waitFor(async () => (await b.client!.call("status", {})).records === expected && (await a.client!.call("status", {})).records === expected, "both holding every record", 120_000)
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message}`)
        break
      }
      for (const device of [a, b]) {
        const status = await device.client!.call("status", {})
        if ((status.unreadableEntries ?? 0) > 0) failures.push(`${label}: ${device.name} has ${status.unreadableEntries} unreadable entries`)
      }
      const [listA, listB] = await Promise.all([a, b].map(async (d) => (await d.client!.call("records.list", {})).map((r) => r.id).sort().join()))
      if (listA !== listB) failures.push(`${label}: a and b hold different records`)
      log(`sync trial ${trial}: seed ${tseed}, ${victim.name} killed after ${killAfterMs} ms, converged ${since(syncStart)} after b started (${expected} records)`)
    }
    log(`kill during sync: ${SYNC_TRIALS} trials, ${failures.length} failures, ${since(started)}`)
    expect(failures).toEqual([])
  })
})
