import { describe, expect, it } from "vitest"
import { waitFor } from "./helpers/cli.js"
import { Device, createLogins } from "./helpers/devices.js"
import { startFirstDevice } from "../helpers/device-start.js"

/** More entries than a peer may lack before it starts from a snapshot (sync/SNAPSHOT_MIN_MISSING_ENTRIES). */
const RECORDS_IN_SNAPSHOT = 1_100
const TAIL_RECORDS = 5

/** Daemons log at info here: the test reads who served and who took the snapshot. */
const INFO_LOG = { LANVAULT_LOG_LEVEL: "info" }

function daemonLog(device: Device): string {
  return device.daemon!.output()
}

/** The fields of each "vault unlocked" line the device's daemon logged, in order. */
function unlockLines(device: Device): Array<Record<string, unknown>> {
  return daemonLog(device).split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "vault unlocked")
}

describe("snapshot-first sync between real daemons", () => {
  it("a new device joins, takes the snapshot of a locked device and then the log tail, and lists every record", async () => {
    const a = await startFirstDevice("alpha", { env: INFO_LOG })
    const b = await Device.create("beta")
    const [first] = await createLogins(a, RECORDS_IN_SNAPSHOT, "snap")
    // The lock writes the snapshot; later records are only in the log: the tail.
    await a.client!.call("lock", {})
    await a.unlock()
    const tail = await createLogins(a, TAIL_RECORDS, "tail")
    const total = RECORDS_IN_SNAPSHOT + TAIL_RECORDS
    const head = (await a.client!.call("devices.list", {})).find((d) => d.self)!.seq
    // B joins while A is locked: a locked device serves its snapshot (its device key signs it).
    await a.client!.call("lock", {})
    await a.unlock()
    const { joinResult } = await b.joinThrough(a)
    expect(joinResult.code).toBe(0)
    await a.client!.call("lock", {})
    // What A reports of serving B (a person at A sees "served done/total to beta").
    const served: Array<{ deviceId?: string; done: number; total: number }> = []
    await a.client!.subscribe(["sync.progress"], (event) => {
      if (event.type === "sync.progress" && event.phase === "serve") served.push({ deviceId: event.deviceId, done: event.done, total: event.total })
    })

    await b.start([], INFO_LOG)
    await b.unlock()
    await waitFor(async () => (await b.client!.call("records.list", {})).length === total, `${total} records listed on B`, 120_000)
    expect(daemonLog(b)).toContain("took a snapshot from a peer")
    expect(daemonLog(a)).toContain("served a snapshot to a far-behind device")
    expect((await b.client!.call("records.get", { id: first })).fields.password.value).toBe("pw-snap-0")
    expect((await b.client!.call("records.get", { id: tail[TAIL_RECORDS - 1] })).fields.password.value).toBe(`pw-tail-${TAIL_RECORDS - 1}`)

    // The backfill brings every entry under the snapshot too; then B's log is whole (it can back up, relay, replay).
    await waitFor(async () => (await b.client!.call("devices.list", {})).find((d) => d.name === "alpha")?.seq === head, "A's head on B", 60_000)
    await waitFor(async () => (await b.cli(["backup", "create", "--json"])).code === 0, "a backup of B once its log is whole", 60_000)
    // A reported serving B everything B lacked (snapshot, tail and the entries under the snapshot), done rising to total.
    await waitFor(() => served.some((p) => p.done === p.total), "A's last serving progress", 30_000)
    const bId = (await a.client!.call("devices.list", {})).find((d) => d.name === "beta")!.deviceId
    expect(served.every((p) => p.deviceId === bId && p.total >= head)).toBe(true)
    expect(served.map((p) => p.done)).toEqual([...served.map((p) => p.done)].sort((x, y) => x - y))
    expect(served.filter((p) => p.done === p.total)).toHaveLength(1)

    // After a restart B opens from the snapshot it took plus the tail, and edits flow both ways.
    await b.stop()
    await b.start()
    await b.unlock()
    expect((await b.client!.call("records.list", {})).length).toBe(total)
    await a.unlock()
    await b.client!.call("records.update", { id: first, set: { title: "edited on B" } })
    await waitFor(async () => (await a.client!.call("records.get", { id: first })).title === "edited on B", "B's edit on A", 30_000)
  }, 300_000)

  it("a joined device's first unlock opens the snapshot it took, cold, and reads only the log tail: no replay of what the snapshot covers", async () => {
    const a = await startFirstDevice("alpha", { env: INFO_LOG })
    const b = await Device.create("beta")
    await createLogins(a, RECORDS_IN_SNAPSHOT, "snap")
    await a.client!.call("lock", {})
    await a.unlock()
    await createLogins(a, TAIL_RECORDS, "tail")
    const total = RECORDS_IN_SNAPSHOT + TAIL_RECORDS
    const head = (await a.client!.call("devices.list", {})).find((d) => d.self)!.seq
    expect((await b.joinThrough(a)).joinResult.code).toBe(0)

    await b.start([], INFO_LOG)
    // The snapshot raises B's view of A to the snapshot's vector at once; the tail brings it to A's head.
    await waitFor(async () => (await b.client!.call("devices.list", {})).find((d) => d.name === "alpha")?.seq === head, "A's head on B", 60_000)
    expect(daemonLog(b)).toContain("took a snapshot from a peer")
    await b.unlock()
    expect((await b.client!.call("records.list", {})).length).toBe(total)
    const [unlocked] = unlockLines(b)
    expect(unlocked).toMatchObject({ records: total, replayed: TAIL_RECORDS, unreadable: 0 })
    // Only the buckets the tail touched were read into Automerge; the rest stay cold behind their index.
    expect(unlocked.loadedBuckets as number).toBeLessThanOrEqual(TAIL_RECORDS)
  }, 300_000)
})
