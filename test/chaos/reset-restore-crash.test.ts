import { afterEach, expect, it } from "vitest"
import { runCli, waitFor } from "../e2e/helpers/cli.js"
import { whileConfirming } from "../helpers/pairing.js"
import { chaosSeed, describeChaos, log, Rng, sized, sleep, trialSeed } from "./helpers/chaos-env.js"
import { LoopbackVault, PASSWORD } from "./helpers/loopback-vault.js"

/**
 * Issue 11 items 2 and 5 under kill -9 and partitions, over real daemons on
 * loopback. Item 5: a `--replace` restore, then a kill -9 at a seeded moment
 * while this device writes on: no (device, seq) is reused, so every later write
 * reaches the peer. Item 2: a reset, then a join with the old password; the
 * joining device is killed -9 at a seeded moment after its first unlock (while
 * its former records come in) and the other device is away (a partition):
 * after a restart every former record is in the account exactly once and reaches
 * the other device when it is back. Seeds are printed; LANVAULT_CHAOS_SEED replays.
 */

const RESTORE_TRIALS = sized({ ci: 2, full: 6 })
const REJOIN_TRIALS = sized({ ci: 2, full: 5 })
const NEW_PASSWORD = "the password after the reset"

const vaults: LoopbackVault[] = []
afterEach(async () => {
  for (const vault of vaults.splice(0)) await vault.destroy()
}, 60_000)

async function pair(): Promise<[LoopbackVault, LoopbackVault]> {
  const a = await LoopbackVault.create("alpha")
  const b = await LoopbackVault.create("beta")
  vaults.push(a, b)
  await a.init()
  await a.start()
  await a.unlock()
  await b.joinThrough(a)
  await b.start()
  await b.unlock()
  return [a, b]
}

const titles = async (vault: LoopbackVault) => (await vault.client!.call("records.list", {})).map((r) => r.title)

async function note(vault: LoopbackVault, title: string): Promise<void> {
  await vault.client!.call("records.create", { record: { type: "note", title } })
}

describeChaos("reset, join and restore under kill -9 and partitions (issue 11 items 2 and 5)", () => {
  it(`${RESTORE_TRIALS} trials: a --replace restore, kill -9 while writing on: no (device, seq) reused, every later write reaches the peer`, async () => {
    const seed = chaosSeed("replace restore kill -9")
    for (let trial = 0; trial < RESTORE_TRIALS; trial++) {
      const rng = new Rng(trialSeed(seed, trial))
      const [a, b] = await pair()
      const before = rng.int(2, 6)
      const after = rng.int(2, 6)
      for (let i = 0; i < before; i++) await note(a, `before the backup ${trial}.${i}`)
      const backup = await a.client!.call("backup.create", {})
      for (let i = 0; i < after; i++) await note(a, `after the backup ${trial}.${i}`)
      await waitFor(async () => (await titles(b)).length === before + after, "B to hold A's records", 30_000)
      const restored = await runCli(["backup", "restore", backup.path, "--replace", "--yes", "--json"], { home: a.home, env: { LANVAULT_PASSWORD: PASSWORD } })
      expect(restored.code, restored.stderr).toBe(0)
      await a.unlock()
      const later: string[] = []
      const killAt = rng.int(1, 5)
      for (let i = 0; i < 6; i++) {
        if (i === killAt) {
          await sleep(rng.int(0, 200))
          await a.kill()
          await a.start()
          await a.unlock()
        }
        const title = `after the restore ${trial}.${i}`
        await note(a, title)
        later.push(title)
      }
      log(`replace restore: trial ${trial}: ${before} before the backup, ${after} after, kill -9 before write ${killAt}`)
      await waitFor(async () => {
        const have = await titles(b)
        return later.every((t) => have.includes(t))
      }, "every write after the restore on B", 30_000)
      expect((await titles(b)).filter((t) => t.startsWith("after the restore")).sort()).toEqual([...later].sort())
      for (const vault of vaults.splice(0)) await vault.destroy()
    }
  }, 600_000)

  it(`${REJOIN_TRIALS} trials: join again after a reset, kill -9 during the bring-in while the other device is away: every former record once, then on both`, async () => {
    const seed = chaosSeed("rejoin kill -9")
    for (let trial = 0; trial < REJOIN_TRIALS; trial++) {
      const rng = new Rng(trialSeed(seed, trial))
      const [a, b] = await pair()
      await a.stop()
      const count = sized({ ci: rng.int(3, 10), full: rng.int(50, 300) })
      const former = Array.from({ length: count }, (_, i) => `only on B ${trial}.${i} ${rng.word(4)}`)
      for (const title of former) await note(b, title)
      await b.stop()
      await a.start()
      const reset = await runCli(["reset", "--yes"], { home: a.home, env: { LANVAULT_NEW_PASSWORD: NEW_PASSWORD } })
      expect(reset.code, reset.stderr).toBe(0)
      await a.unlock(NEW_PASSWORD)
      a.accountKey = reset.stdout.match(/LV1(-[0-9A-Z]{4}){7}/)![0]
      await a.client!.call("pairing.open", { seconds: 60 })
      const args = ["join", "--peer", `127.0.0.1:${a.port}`, "--account-key-stdin", "--name", "beta", "--json"]
      const { result } = await whileConfirming(a.client!, () => runCli(args, { home: b.home, input: `${a.accountKey}\n`, env: { LANVAULT_OLD_PASSWORD: PASSWORD }, timeoutMs: 60_000 }))
      expect(result.code, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout).former).toMatchObject({ pending: true })
      // A goes away (the partition) while B brings its former records in and is killed at a seeded moment.
      await a.stop()
      await b.start()
      const killAfterMs = rng.int(0, 400)
      const unlocking = b.unlock(NEW_PASSWORD)
      await sleep(killAfterMs)
      await unlocking.catch(() => undefined)
      await b.kill()
      await b.start()
      await b.unlock(NEW_PASSWORD)
      await waitFor(async () => (await titles(b)).length >= count, "B's former records after the restart", 60_000)
      await sleep(500)
      const onB = (await titles(b)).sort()
      log(`rejoin: trial ${trial}: ${count} former records, B killed ${killAfterMs} ms into its first unlock; B holds ${onB.length}`)
      expect(onB).toEqual([...former].sort())
      await a.start()
      await a.unlock(NEW_PASSWORD)
      await waitFor(async () => (await titles(a)).length === count, "B's former records on A after the partition", 60_000)
      expect((await titles(a)).sort()).toEqual([...former].sort())
      for (const vault of vaults.splice(0)) await vault.destroy()
    }
  }, 900_000)
})
