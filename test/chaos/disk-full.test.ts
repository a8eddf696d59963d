import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import type { LanvaultError } from "../../src/errors.js"
import { chaosSeed, describeChaos, log, Rng, since } from "./helpers/chaos-env.js"
import { waitFor } from "../e2e/helpers/cli.js"
import { LoopbackVault } from "./helpers/loopback-vault.js"

/**
 * A disk that fills up (issue 7): the home lives on a small tmpfs. Writes go on
 * until the API answers STORAGE_FULL; the daemon stays up and keeps serving
 * reads; after a `kill -9` and a restart on the still-full disk every
 * acknowledged record is there; once a filler file is deleted, writes work again.
 * Needs root (mount); the tmpfs is unmounted afterwards.
 */

const TMPFS_BYTES = 6 * 1024 * 1024
/** Deleted to give space back at the end. */
const FILLER_BYTES = 1024 * 1024
const VALUE_CHARS = 6_000
const MAX_WRITES = 5_000
/** Writes tried after the first STORAGE_FULL, alternating small and large. */
const PRESSURE_WRITES = 20
const SYNC_TMPFS_BYTES = 8 * 1024 * 1024
/** Room left on the receiving peer's disk. */
const SYNC_ROOM_BYTES = 256 * 1024
const SYNC_RECORDS = 2_000

const mounts: string[] = []
const vaults: LoopbackVault[] = []

/** A fresh tmpfs of `bytes`, unmounted after the file's tests. */
function smallDisk(bytes: number): string {
  const mountpoint = mkdtempSync(join(tmpdir(), "lanvault-chaos-tmpfs-"))
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0700`, "tmpfs", mountpoint])
  mounts.push(mountpoint)
  return mountpoint
}

afterAll(async () => {
  for (const vault of vaults) await vault.kill()
  for (const mountpoint of mounts) {
    spawnSync("umount", [mountpoint])
    rmSync(mountpoint, { recursive: true, force: true })
  }
  for (const vault of vaults) rmSync(vault.home, { recursive: true, force: true })
})

describeChaos("a full disk: a clear error, no corruption, recovery once space is back", () => {
  it("fills the disk until STORAGE_FULL, stays up, loses nothing acknowledged, and writes again after space is freed", async () => {
    const seed = chaosSeed("disk-full")
    const rng = new Rng(seed)
    const started = Date.now()
    const mountpoint = smallDisk(TMPFS_BYTES)
    const vault = await LoopbackVault.at("full", join(mountpoint, "home"))
    vaults.push(vault)
    await vault.init()
    writeFileSync(join(mountpoint, "filler"), Buffer.alloc(FILLER_BYTES, 1))
    await vault.start()
    await vault.unlock()

    const acked = new Map<string, { title: string; secret: string }>()
    let refusal: LanvaultError | undefined
    for (let i = 0; i < MAX_WRITES && refusal === undefined; i++) {
      const secret = `${i}-${rng.word(VALUE_CHARS)}`
      try {
        const title = `filler ${i}`
        const { id } = await vault.client!.call("records.create", { record: { type: "login", title, fields: { password: { value: secret, kind: "secret" } } } })
        acked.set(id, { title, secret })
      } catch (error) {
        refusal = error as LanvaultError
      }
    }
    const free = statfsSync(mountpoint)
    log(`disk-full: ${acked.size} records acknowledged, then ${refusal?.code}: ${refusal?.message} (${free.bavail * free.bsize} bytes free)`)
    expect(refusal?.code).toBe("STORAGE_FULL")

    // Still up: it answers and reads work. Further writes on the full disk are each either acknowledged
    // (a small one may fit where the refused one did not) or refused the same clear way; nothing else.
    expect((await vault.client!.call("status", {})).locked).toBe(false)
    const [someId, some] = [...acked][acked.size >> 1]
    expect((await vault.client!.call("records.get", { id: someId })).fields.password.value).toBe(some.secret)
    const answers: string[] = []
    for (let i = 0; i < PRESSURE_WRITES; i++) {
      const [id, before] = [...acked][rng.int(0, acked.size - 1)]
      const small = i % 2 === 0
      const title = `edited on a full disk ${i}`
      const secret = small ? before.secret : `${i}-${rng.word(VALUE_CHARS)}`
      try {
        await vault.client!.call("records.update", { id, set: small ? { title } : { title, fields: { password: { value: secret, kind: "secret" } } } })
        acked.set(id, { title, secret })
        answers.push("ok")
      } catch (error) {
        answers.push((error as LanvaultError).code)
      }
    }
    log(`disk-full: ${PRESSURE_WRITES} more writes on the full disk answered ${JSON.stringify(countOf(answers))}`)
    expect(answers.filter((a) => a !== "ok" && a !== "STORAGE_FULL")).toEqual([])
    expect(answers).toContain("STORAGE_FULL")
    expect((await vault.client!.call("status", {})).locked).toBe(false)

    // A crash on the full disk, then a restart on it: the database opens and holds every acknowledged record.
    await vault.kill()
    await vault.start()
    await vault.unlock()
    await expectAll(vault, acked)
    // A clean stop on the full disk (its snapshot at lock cannot be written): exit 0, and it opens again.
    expect(await vault.stop()).toBe(0)
    await vault.start()
    await vault.unlock()
    await expectAll(vault, acked)

    // Space comes back: writes work again, and everything is still there.
    rmSync(join(mountpoint, "filler"))
    const { id } = await vault.client!.call("records.create", { record: { type: "note", title: "after space came back" } })
    expect((await vault.client!.call("records.get", { id })).title).toBe("after space came back")
    await vault.stop()
    await vault.start()
    await vault.unlock()
    await expectAll(vault, acked)
    log(`disk-full: recovered; ${since(started)}`)
  })
})

describeChaos("a peer syncing into a full disk", () => {
  it(`the receiving daemon refuses with STORAGE_FULL, stays up, and catches up once space is back`, async () => {
    const seed = chaosSeed("disk-full sync")
    const rng = new Rng(seed)
    const started = Date.now()
    const a = await LoopbackVault.create("roomy")
    vaults.push(a)
    await a.init()
    await a.start()
    await a.unlock()
    const mountpoint = smallDisk(SYNC_TMPFS_BYTES)
    const b = await LoopbackVault.at("cramped", join(mountpoint, "home"))
    vaults.push(b)
    await b.joinThrough(a)
    await b.start()
    await b.unlock()
    // Leave b a little room only, then send it far more than that.
    const { bavail, bsize } = statfsSync(mountpoint)
    writeFileSync(join(mountpoint, "filler"), Buffer.alloc(Math.max(0, bavail * bsize - SYNC_ROOM_BYTES), 1))
    const rows = ["name,url,username,password,note"]
    for (let i = 0; i < SYNC_RECORDS; i++) rows.push(`site ${i},https://s${i}.example/,user${i},${rng.word(VALUE_CHARS / 10)},${rng.word(200)}`)
    writeFileSync(join(a.home, "big.csv"), `${rows.join("\n")}\n`)
    expect((await a.client!.call("import", { path: join(a.home, "big.csv"), format: "chrome-csv" })).imported).toBe(SYNC_RECORDS)

    await waitFor(() => b.output().includes("STORAGE_FULL"), "b to refuse entries with STORAGE_FULL", 60_000)
    expect(b.daemon?.process.exitCode).toBe(null)
    const partial = (await b.client!.call("status", {})).records ?? 0
    log(`disk-full sync: b refused with STORAGE_FULL holding ${partial} of ${SYNC_RECORDS} records`)
    expect(partial).toBeLessThan(SYNC_RECORDS)
    const local = await b.client!.call("records.create", { record: { type: "note", title: "on b, full", notes: rng.word(VALUE_CHARS) } }).then(() => "ok", (e: LanvaultError) => e.code)
    expect(["ok", "STORAGE_FULL"]).toContain(local)

    rmSync(join(mountpoint, "filler"))
    const expected = SYNC_RECORDS + (local === "ok" ? 1 : 0)
    await waitFor(async () => (await b.client!.call("status", {})).records === expected, "b caught up once space was back", 90_000)
    await waitFor(async () => (await a.client!.call("status", {})).records === expected, "a holding b's record too", 30_000)
    expect((await b.client!.call("status", {})).unreadableEntries ?? 0).toBe(0)
    log(`disk-full sync: recovered; ${since(started)}`)
  })
})

async function expectAll(vault: LoopbackVault, acked: Map<string, { title: string; secret: string }>): Promise<void> {
  const missing: string[] = []
  for (const [id, { title, secret }] of acked) {
    const record = await vault.client!.call("records.get", { id }).catch(() => undefined)
    if (record?.fields.password?.value !== secret || record.title !== title) missing.push(id)
  }
  expect(missing, `${missing.length} of ${acked.size} acknowledged records missing or changed`).toEqual([])
}

function countOf(items: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const item of items) out[item] = (out[item] ?? 0) + 1
  return out
}
