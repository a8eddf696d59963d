import { afterEach, describe, expect, it, vi } from "vitest"
import { encodedEntryBytes, type EntriesMessage } from "../../../src/sync/messages.js"
import { OutboundStream } from "../../../src/sync/outbound-stream.js"
import type { LogEntry } from "../../../src/store/index.js"
import type { VersionVector } from "../../../src/store/vault-store.js"
import { makeAccount, sealOwn } from "./sync-fixtures.js"

/** A device's own log held in memory, counting the stream's reads of it. */
function setUp(options: { batchEntries?: number; windowBatches?: number; maxBatchBytes?: number } = {}, progress?: (done: number, total: number) => void) {
  const account = makeAccount(["a"])
  const [device] = account.devices
  const log: LogEntry[] = []
  let reads = 0
  let rows = 0
  const store = {
    versionVector: (): VersionVector => (log.length === 0 ? {} : { [device.deviceId]: log.length }),
    entriesAfter: (vector: VersionVector, limit = Infinity) => {
      reads++
      const page = log.filter((entry) => entry.seq > (vector[entry.deviceId] ?? 0)).slice(0, limit)
      rows += page.length
      return page
    },
    entriesOf: () => [],
  }
  const sent: EntriesMessage[] = []
  const stream = new OutboundStream({ store, send: (message) => (sent.push(message), true), onCaughtUp: () => {}, progress }, { windowBatches: 2, ...options })
  const append = (count: number) => {
    const entries = sealOwn(account, device, log.length + 1, count)
    log.push(...entries)
    return entries
  }
  return { stream, sent, append, reads: () => reads, rows: () => rows, seqs: (message: EntriesMessage) => message.entries.map((e) => e.seq) }
}

describe("OutboundStream", () => {
  it("sends a caught-up peer its new entries as they are, one batch, without reading the store", () => {
    const { stream, sent, append, reads, seqs } = setUp()
    append(3)
    stream.begin({})
    expect(sent.map(seqs)).toEqual([[1, 2, 3]])
    expect(sent[0].final).toBe(true)
    stream.ack(3)
    const before = reads()
    stream.push(append(2))
    expect(sent.map(seqs)).toEqual([[1, 2, 3], [4, 5]])
    expect(sent[1]).toEqual({ type: "entries", entries: expect.any(Array) })
    expect(reads()).toBe(before)
    expect(stream.entriesSent).toBe(5)
    stream.ack(2)
  })

  it("reads the store when the new entries do not follow on from what the peer holds, or the window is full", () => {
    const { stream, sent, append, reads, seqs } = setUp()
    stream.begin({})
    stream.ack(0)
    append(1) // never pushed: the next push does not follow on from the peer's vector
    const before = reads()
    stream.push(append(1))
    expect(reads()).toBeGreaterThan(before)
    expect(sent.slice(1).map(seqs)).toEqual([[1, 2]])
    stream.push(append(1))
    expect(sent.slice(1).map(seqs)).toEqual([[1, 2], [3]])
    // Two batches await their ack: the window is full, so this one waits for an ack and is read then.
    stream.push(append(1))
    expect(sent.slice(1).map(seqs)).toEqual([[1, 2], [3]])
    stream.ack(2)
    expect(sent.slice(1).map(seqs)).toEqual([[1, 2], [3], [4]])
  })

  it("reads the store while the peer is still catching up: new entries follow the catch-up in order", () => {
    const { stream, sent, append, seqs } = setUp({ batchEntries: 2, windowBatches: 1 })
    append(5)
    stream.begin({})
    expect(sent.map(seqs)).toEqual([[1, 2]])
    stream.push(append(1))
    expect(sent.map(seqs)).toEqual([[1, 2]])
    stream.ack(2)
    stream.ack(2)
    stream.ack(2)
    expect(sent.map(seqs)).toEqual([[1, 2], [3, 4], [5, 6], []])
    expect(sent.at(-1)!.final).toBe(true)
  })

  it("reads pages sized to what fits in a batch: big entries are not read again and again to send a few", () => {
    const size = encodedEntryBytes(setUp().append(1)[0])
    const { stream, sent, append, rows, seqs } = setUp({ batchEntries: 100, windowBatches: 1, maxBatchBytes: Math.floor(3.5 * size) })
    append(60)
    stream.begin({})
    while (sent.at(-1)?.final !== true) stream.ack(sent.at(-1)!.entries.length)
    expect(sent.flatMap(seqs)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
    expect(Math.max(...sent.map((m) => m.entries.length))).toBeLessThanOrEqual(3)
    // The first page reads all 60; each later one about one entry more than a batch holds
    // (a page of batchEntries each time would read 60 + 57 + 54 + … ≈ 630 rows).
    expect(rows()).toBeLessThanOrEqual(60 + 5 * sent.length)
  })

  describe("serving progress", () => {
    afterEach(() => vi.useRealTimers())

    it("reports entries the peer acknowledged of those it lacked, paced, the last with done = total", () => {
      vi.useFakeTimers()
      const reports: string[] = []
      const { stream, append } = setUp({ batchEntries: 500 }, (done, total) => reports.push(`${done}/${total}`))
      append(1_200)
      stream.begin({})
      expect(reports).toEqual([])
      stream.ack(500)
      stream.ack(500) // within 100 ms of the last report: held back
      vi.advanceTimersByTime(100)
      stream.ack(200)
      expect(reports).toEqual(["500/1200", "1200/1200"])
    })

    it("leaves live edits after the catch-up out, and reports nothing for a peer that lacked nothing", () => {
      const reports: string[] = []
      const { stream, append } = setUp({}, (done, total) => reports.push(`${done}/${total}`))
      append(3)
      stream.begin({ })
      stream.ack(3)
      expect(reports).toEqual(["3/3"])
      stream.push(append(2))
      stream.ack(2)
      expect(reports).toEqual(["3/3"])

      const idle = setUp({}, (done, total) => reports.push(`${done}/${total}`))
      idle.stream.begin({})
      idle.stream.ack(0)
      expect(reports).toEqual(["3/3"])
    })

    it("ends when the entries under a snapshot cannot be sent (below the store's floor): the peer has the snapshot", () => {
      const reports: string[] = []
      const { stream, append } = setUp({}, (done, total) => reports.push(`${done}/${total}`))
      const [entry] = append(10)
      stream.begin({}, { [entry.deviceId]: 8 }) // the snapshot covers 1-8; the store reads none of them (entriesOf is empty)
      stream.ack(2)
      expect(reports).toEqual(["10/10"])
    })
  })
})
