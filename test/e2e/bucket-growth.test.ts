import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { BUCKET_FULL_RECORDS, bucketOf, DEFAULT_BUCKET_COUNT, OPEN_BUCKETS } from "../../src/merge/bucket.js"
import { waitFor } from "./helpers/cli.js"
import type { Device } from "./helpers/devices.js"
import { startLine } from "../helpers/device-start.js"

/** More records than the first OPEN_BUCKETS buckets hold: the vault must open buckets beyond them. */
const IMPORTED = OPEN_BUCKETS * BUCKET_FULL_RECORDS + 300
const SHARED = 12
const EDIT_ROUNDS = 3

async function pairedPair(): Promise<[Device, Device]> {
  const [a, b] = await startLine(["alpha", "beta"])
  return [a, b]
}

/** Every record on a device with its values and history, by id. */
async function everything(device: Device, ids: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = []
  for (const id of ids) out.push({ record: await device.client!.call("records.get", { id }), history: await device.client!.call("records.history", { id }) })
  return out
}

describe("buckets grow with the vault between two real daemons", () => {
  it("A imports past the first buckets' bound while B edits shared records: both end with the same records and history, and after a restart", async () => {
    const [a, b] = await pairedPair()
    const shared: string[] = []
    for (let i = 0; i < SHARED; i++) {
      const { id } = await a.client!.call("records.create", { record: { type: "login", title: `shared ${i}`, fields: { password: { value: `pw-${i}`, kind: "secret" } } } })
      shared.push(id)
    }
    await waitFor(async () => (await b.client!.call("records.list", {})).length === SHARED, "the shared records on B")

    const file = join(a.home, "big.csv")
    writeFileSync(file, ["name,url,username,password,note", ...Array.from({ length: IMPORTED }, (_, i) => `Site ${i},https://s${i}.example,user${i},pw${i}-secret,`)].join("\n"))
    const imported = a.client!.call("import", { path: file, format: "chrome-csv" })
    // B edits every shared record while A's import runs (their buckets fill up and new ones open on A).
    for (let round = 0; round < EDIT_ROUNDS; round++) {
      for (const [i, id] of shared.entries()) {
        await b.client!.call("records.update", { id, set: { fields: { password: { value: `b-${round}-${i}`, kind: "secret" } } } })
      }
    }
    await imported
    // And A edits two of them too, concurrently with B's last edits in flight.
    await a.client!.call("records.update", { id: shared[0], set: { title: "renamed on A" } })
    await b.client!.call("records.update", { id: shared[1], set: { title: "renamed on B" } })

    const total = SHARED + IMPORTED
    await waitFor(async () => (await b.client!.call("records.list", {})).length === total, `${total} records on B`, 180_000)
    await waitFor(async () => (await a.client!.call("records.get", { id: shared[SHARED - 1] })).fields.password.value === `b-${EDIT_ROUNDS - 1}-${SHARED - 1}`, "B's last edit on A", 60_000)
    await waitFor(async () => (await b.client!.call("records.get", { id: shared[0] })).title === "renamed on A", "A's rename on B", 60_000)
    await waitFor(async () => (await a.client!.call("records.get", { id: shared[1] })).title === "renamed on B", "B's rename on A", 60_000)

    const listA = await a.client!.call("records.list", {})
    const listB = await b.client!.call("records.list", {})
    expect(listB).toEqual(listA)
    // The vault outgrew the first buckets: records went to buckets beyond them, none past its bound.
    const perBucket = new Map<number, number>()
    for (const { id } of listA) perBucket.set(bucketOf(id, DEFAULT_BUCKET_COUNT), (perBucket.get(bucketOf(id, DEFAULT_BUCKET_COUNT)) ?? 0) + 1)
    expect(perBucket.size).toBeGreaterThan(OPEN_BUCKETS)
    expect(Math.max(...perBucket.values())).toBeLessThanOrEqual(BUCKET_FULL_RECORDS)
    const onA = await everything(a, shared)
    expect(await everything(b, shared)).toEqual(onA)
    const history = await a.client!.call("records.history", { id: shared[3] })
    expect(history.map((entry) => entry.value)).toEqual(expect.arrayContaining(["pw-3", "b-0-3", "b-1-3"]))

    // A restart opens from the snapshot (buckets of any number) plus the log tail: the same vault.
    for (const device of [a, b]) {
      await device.client!.call("lock", {})
      await device.stop()
      await device.start()
      await device.unlock()
      expect(await device.client!.call("records.list", {})).toEqual(listA)
      expect(await everything(device, shared)).toEqual(onA)
    }
  }, 420_000)
})
