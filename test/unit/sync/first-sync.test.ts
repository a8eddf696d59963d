import { describe, expect, it } from "vitest"
import { decodeMessage } from "../../../src/sync/messages.js"
import { WINDOW_BATCHES } from "../../../src/sync/outbound-stream.js"
import type { ReplicatorEvents } from "../../../src/sync/replicator.js"
import type { TraceLine } from "./memory-link.js"
import { appendOwn, connect, dump, makeAccount, settle } from "./sync-fixtures.js"

const ENTRIES_TYPE = 2
const ACK_TYPE = 3

/** The most `entries` messages to `to` that were sent and not yet acknowledged, at any moment. */
function maxUnacked(trace: TraceLine[], to: string): number {
  let open = 0
  let max = 0
  for (const line of trace) {
    if (line.to === to && line.type === ENTRIES_TYPE) max = Math.max(max, ++open)
    if (line.to !== to && line.type === ACK_TYPE) open--
  }
  return max
}

describe("first sync", () => {
  it("5,000 entries stream in bounded, acknowledged batches with progress", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    appendOwn(account, a, 5_000)
    const progress: Array<ReplicatorEvents["progress"]> = []
    b.replicator.on("progress", (event) => progress.push(event))
    const trace: TraceLine[] = []

    const [aToB] = connect(a, b, trace)
    expect(b.replicator.sessions()[0].state).toBe("syncing")
    await settle()

    expect(dump(b.store)).toEqual(dump(a.store))
    const batches = aToB.sent.map(decodeMessage).filter((m) => m.type === "entries")
    expect(batches.length).toBeGreaterThanOrEqual(10)
    expect(Math.max(...batches.map((m) => m.entries.length))).toBeLessThanOrEqual(500)
    expect(batches[0]).toMatchObject({ total: 5_000 })
    expect(batches.filter((m) => m.final === true)).toHaveLength(1)
    expect(maxUnacked(trace, b.deviceId)).toBeLessThanOrEqual(WINDOW_BATCHES)

    expect(progress.length).toBe(batches.filter((m) => m.entries.length > 0).length)
    expect(progress.every((p) => p.deviceId === a.deviceId && p.total === 5_000)).toBe(true)
    const done = progress.map((p) => p.done)
    expect(done).toEqual([...done].sort((x, y) => x - y))
    expect(done.at(-1)).toBe(5_000)
    expect(b.replicator.sessions()[0].state).toBe("idle")
  }, 60_000)

  it("a batch stays within the byte budget", async () => {
    const maxBatchBytes = 16 * 1024
    const account = makeAccount(["a", "b"], { maxBatchBytes })
    const [a, b] = account.devices
    appendOwn(account, a, 120, 1_000)
    const [aToB] = connect(a, b)
    await settle()

    expect(b.store.head(a.deviceId)).toBe(120)
    const sizes = aToB.sent.filter((m) => m[0] === ENTRIES_TYPE).map((m) => m.length)
    // Each message: type, flags, an optional total and a count around the entries.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(maxBatchBytes + 1 + 1 + 8 + 4)
    expect(sizes.length).toBeGreaterThanOrEqual(120 / 14)
  })

  it("a single entry above the byte budget still goes, alone", async () => {
    const account = makeAccount(["a", "b"], { maxBatchBytes: 100 })
    const [a, b] = account.devices
    appendOwn(account, a, 3, 500)
    const [aToB] = connect(a, b)
    await settle()
    expect(b.store.head(a.deviceId)).toBe(3)
    const counts = aToB.sent.map(decodeMessage).flatMap((m) => (m.type === "entries" && m.entries.length > 0 ? [m.entries.length] : []))
    expect(counts).toEqual([1, 1, 1])
  })

  it("both sides stream at once and entries appended during the catch-up follow it", async () => {
    const account = makeAccount(["a", "b"], { batchEntries: 50 })
    const [a, b] = account.devices
    appendOwn(account, a, 400)
    appendOwn(account, b, 300)
    connect(a, b)
    // Appended while the catch-up is under way.
    await Promise.resolve()
    a.replicator.publishLocal(appendOwn(account, a, 5))
    await settle()
    expect(dump(a.store)).toEqual(dump(b.store))
    expect(b.store.head(a.deviceId)).toBe(405)
  })
})
