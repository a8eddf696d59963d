/**
 * Issue 18, "never deaf": long work on a real daemon (a backup of a big vault,
 * an export of it, the snapshot a lock writes after many changes) runs in slices
 * or on a worker, so a `status` sent meanwhile is answered before that work is done.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { connect, type LanvaultClient } from "../../src/api/client.js"
import { homePaths } from "../../src/api/public.js"
import { SqliteStore } from "../../src/store/sqlite-store.js"
import { runCli, startDaemon, tempHome, type DaemonProcess } from "./helpers/cli.js"

const PASSWORD = "correct horse battery"
/** Records created one call each (one log entry each): a backup reads 1,000 entries per slice, so several slices. */
const RECORDS = 6_000
const IN_FLIGHT = 32
const STATUS_EVERY_MS = 10

describe("long work leaves the socket answering", () => {
  const cleanups: Array<() => unknown> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function bigVault(): Promise<{ home: string; daemon: DaemonProcess; client: LanvaultClient; poller: LanvaultClient }> {
    const { home, cleanup } = tempHome("lanvault-long-")
    cleanups.push(cleanup)
    expect((await runCli(["init", "--name", "long"], { home, env: { LANVAULT_PASSWORD: PASSWORD } })).code).toBe(0)
    const daemon = await startDaemon({ home })
    cleanups.push(() => daemon.stop("SIGKILL"))
    const client = await connect({ socketPath: daemon.socketPath })
    cleanups.push(() => client.close())
    const poller = await connect({ socketPath: daemon.socketPath })
    cleanups.push(() => poller.close())
    await client.call("unlock", { password: PASSWORD })
    let next = 0
    const worker = async () => {
      for (let i = next++; i < RECORDS; i = next++) {
        await client.call("records.create", { record: { type: "login", title: `site ${i}`, fields: { password: { value: `pw-${i}`, kind: "secret" } } } }, { timeoutMs: 120_000 })
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    return { home, daemon, client, poller }
  }

  /** Calls `status` one after another until `work` settles; returns how many answers came before it did. */
  async function statusesDuring(poller: LanvaultClient, work: Promise<unknown>): Promise<number> {
    let done = false
    void work.finally(() => (done = true)).catch(() => undefined)
    let answered = 0
    while (!done) {
      await poller.call("status", {}, { timeoutMs: 60_000 })
      if (!done) answered += 1
      await new Promise((resolve) => setTimeout(resolve, STATUS_EVERY_MS))
    }
    return answered
  }

  it("answers status while a backup and an export of a big vault are written, a lock snapshots it and an unlock replays it, and reports their progress", async () => {
    const { home, daemon, client, poller } = await bigVault()
    const progress: Array<{ work: string; done: number; total: number }> = []
    await poller.subscribe(["work.progress"], (event) => event.type === "work.progress" && progress.push({ work: event.work, done: event.done, total: event.total }))
    /** The progress events of `work`: at least two, counting up to `total`, the last at it. */
    const expectProgress = (work: string, total: number) => {
      const of = progress.filter((p) => p.work === work)
      expect(of.length).toBeGreaterThanOrEqual(2)
      expect(of.at(-1)).toEqual({ work, done: total, total })
      expect(of.every((p, i) => p.total === total && (i === 0 || p.done >= of[i - 1].done))).toBe(true)
    }
    const backup = client.call("backup.create", {}, { timeoutMs: 180_000 })
    const answered = await statusesDuring(poller, backup)
    const info = await backup
    expect(info.entries).toBeGreaterThanOrEqual(RECORDS)
    // The status calls were answered while the backup was still being made, not after it, and its progress told.
    expect(answered).toBeGreaterThanOrEqual(2)
    expectProgress("backup", info.entries)
    const listed = (await client.call("backup.list", {})).find((b) => b.path === info.path)
    expect(listed?.entries).toBe(info.entries)

    // An export reads every record (each bucket loaded in turn) and renders the file on a worker; its progress counts them.
    const path = join(home, "export.json")
    const exporting = client.call("export", { path, format: "json" }, { timeoutMs: 180_000 })
    expect(await statusesDuring(poller, exporting)).toBeGreaterThanOrEqual(2)
    expect((await exporting).exported).toBe(RECORDS)
    expectProgress("export", RECORDS)
    const file = JSON.parse(readFileSync(path, "utf8")) as { records: Array<{ title: string }> }
    expect(new Set(file.records.map((record) => record.title)).size).toBe(RECORDS)

    // The lock's snapshot of every bucket (all loaded by the creates) is written in slices too; `lock` answers once it is on disk.
    const [first] = (await client.call("records.list", { limit: 1 })).records
    await client.call("records.update", { id: first.id, set: { title: "renamed before the lock" } })
    const locking = client.call("lock", {}, { timeoutMs: 180_000 })
    expect(await statusesDuring(poller, locking)).toBeGreaterThanOrEqual(1)
    expect((await poller.call("status", {})).locked).toBe(true)
    await client.call("unlock", { password: PASSWORD })
    expect((await client.call("status", {})).records).toBe(RECORDS)

    // Without its snapshot (as after a crash before the first one), an unlock replays every entry: in slices, with progress.
    client.close()
    poller.close()
    await daemon.stop("SIGKILL")
    const store = SqliteStore.open(homePaths(home).database)
    store.clearSnapshots()
    store.close()
    const restarted = await startDaemon({ home })
    cleanups.push(() => restarted.stop("SIGKILL"))
    const [again, watcher] = [await connect({ socketPath: restarted.socketPath }), await connect({ socketPath: restarted.socketPath })]
    cleanups.push(() => again.close(), () => watcher.close())
    const replay: Array<{ done: number; total: number }> = []
    await watcher.subscribe(["work.progress"], (event) => event.type === "work.progress" && event.work === "unlock" && replay.push({ done: event.done, total: event.total }))
    const unlocking = again.call("unlock", { password: PASSWORD }, { timeoutMs: 180_000 })
    expect(await statusesDuring(watcher, unlocking)).toBeGreaterThanOrEqual(1)
    expect((await unlocking).records).toBe(RECORDS)
    const entries = replay.at(-1)?.total ?? 0
    expect(entries).toBeGreaterThanOrEqual(RECORDS) // one entry a create, one the update
    expect(replay.length).toBeGreaterThanOrEqual(2)
    expect(replay.at(-1)).toEqual({ done: entries, total: entries })
  }, 600_000)
})
