/**
 * Issue 18 on real daemons: a restarted daemon unlocks from its snapshot's
 * summary index without loading a bucket (its log says so), then lists, gets,
 * edits and syncs correctly with buckets loaded on demand, also after kill -9.
 */
import { describe, expect, it } from "vitest"
import { waitFor } from "./helpers/cli.js"
import { Device, createLogins } from "./helpers/devices.js"
import { startFirstDevice } from "../helpers/device-start.js"

const RECORDS = 200
const INFO_LOG = { LANVAULT_LOG_LEVEL: "info" }

/** The fields of the daemon's last "vault unlocked" log line. */
function lastUnlock(device: Device): { records: number; loadedBuckets: number } {
  const lines = device.daemon!.output().split("\n").filter((line) => line.includes("\"vault unlocked\""))
  expect(lines.length).toBeGreaterThan(0)
  return JSON.parse(lines.at(-1)!)
}

describe("a restarted daemon with lazily loaded buckets", () => {
  it("unlocks without loading a bucket, then lists, gets, edits and syncs like a fully loaded one, also after kill -9", async () => {
    const a = await startFirstDevice("alpha", { env: INFO_LOG })
    const b = await Device.create("beta")
    const ids = await createLogins(a, RECORDS)
    const { joinResult } = await b.joinThrough(a)
    expect(joinResult.code).toBe(0)
    await b.start()
    await b.unlock()
    await waitFor(async () => (await b.client!.call("records.list", {})).length === RECORDS, "every record on B", 60_000)
    await a.client!.call("records.delete", { id: ids[5] })
    await waitFor(async () => (await b.client!.call("records.list", { trash: true })).length === 1, "the trashed record on B", 30_000)
    const listed = await a.client!.call("records.list", {})
    const trashed = await a.client!.call("records.list", { trash: true })

    // A clean restart: the lock writes the snapshot with its index.
    await a.stop()
    await a.start([], INFO_LOG)
    await a.unlock()
    expect(lastUnlock(a)).toMatchObject({ records: RECORDS, loadedBuckets: 0 })
    expect(await a.client!.call("records.list", {})).toEqual(listed)
    expect(await a.client!.call("records.list", { trash: true })).toEqual(trashed)
    expect((await a.cli(["get", ids[9], "--reveal", "--json"])).stdout).toContain("pw-site-9")
    expect((await a.client!.call("records.list", { query: `user${RECORDS - 1}` })).map((r) => r.id)).toEqual([ids[RECORDS - 1]])

    // Edits both ways: A's reaches B, and B's reaches a bucket A has not loaded.
    await a.client!.call("records.update", { id: ids[1], set: { title: "edited on A" } })
    await waitFor(async () => (await b.client!.call("records.get", { id: ids[1] })).title === "edited on A", "A's edit on B", 30_000)
    await b.client!.call("records.update", { id: ids[2], set: { title: "edited on B" } })
    await b.client!.call("records.update", { id: ids[5], set: { trashed: false } })
    await waitFor(async () => (await a.client!.call("records.list", {})).some((r) => r.title === "edited on B"), "B's edit listed on A", 30_000)
    await waitFor(async () => (await a.client!.call("records.list", { trash: true })).length === 0, "B's restore listed on A", 30_000)

    // kill -9: no snapshot at lock; the next unlock applies the log past the snapshot before listing.
    await a.daemon!.stop("SIGKILL")
    a.client!.close()
    await a.start([], INFO_LOG)
    await a.unlock()
    expect(lastUnlock(a).loadedBuckets).toBeLessThan(64)
    const afterKill = await a.client!.call("records.list", {})
    expect(afterKill.map((r) => r.title)).toContain("edited on A")
    expect(afterKill.map((r) => r.title)).toContain("edited on B")
    expect(afterKill).toEqual(await b.client!.call("records.list", {}))
    expect((await a.client!.call("records.get", { id: ids[2] })).fields.password.value).toBe("pw-site-2")
  }, 300_000)
})
