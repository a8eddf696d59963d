import { LanvaultError } from "../errors.js"
import { paced } from "../progress-pace.js"
import type { LogEntry } from "../store/log-entry.js"
import type { VersionVector } from "../store/vault-store.js"
import { takeBatch } from "./entry-batch.js"
import type { EntriesMessage } from "./messages.js"
import type { EntryLog } from "./ports.js"
import { advanceVector, mergeVectors, missingCount, missingRanges, seqOf, type MissingRange } from "./version-vector.js"

/** Entries read from the store per batch. */
export const BATCH_ENTRIES = 500
/** Encoded entries per batch, at most (one larger entry still goes alone). */
export const MAX_BATCH_BYTES = 1024 * 1024
/** Batches sent and not yet acknowledged, at most: bounds what a slow peer makes us hold. */
export const WINDOW_BATCHES = 2

/** Tuning of an {@link OutboundStream}. */
export interface OutboundOptions {
  batchEntries?: number
  maxBatchBytes?: number
  windowBatches?: number
}

/** What an {@link OutboundStream} needs. */
export interface OutboundDeps {
  store: Pick<EntryLog, "versionVector" | "entriesAfter" | "entriesOf">
  /** Sends one batch; false if the link failed (the stream then stops). */
  send: (message: EntriesMessage) => boolean
  /** The first catch-up was sent entirely. */
  onCaughtUp: () => void
  /**
   * Progress of serving what the peer lacked at its hello (the catch-up and the
   * entries under a snapshot it took): entries it acknowledged of those it lacked.
   * Paced (progress-pace.ts); the last report has done = total.
   */
  progress?: (done: number, total: number) => void
}

/**
 * The sending half of a session: knows what the peer holds (its hello, plus
 * what went either way since) and sends it what it lacks, read from the store
 * page by page, at most `windowBatches` unacknowledged batches at a time, so
 * memory stays bounded however long the logs are. Each round reads only the
 * entries after the peer's vector: O(devices + entries sent).
 */
export class OutboundStream {
  private readonly batchEntries: number
  private readonly maxBatchBytes: number
  private readonly windowBatches: number
  private peerVector: VersionVector | undefined
  private total: number | undefined
  private caughtUp = false
  private stopped = false
  /** Batches awaiting an ack, oldest first: entry count, and whether it serves what the peer lacked at its hello. */
  private readonly inFlight: { count: number; serves: boolean }[] = []
  /** What the peer lacked at its hello and has acknowledged, until all of it has been. */
  private serving: { done: number; total: number } | undefined
  private readonly report: ((done: number, total: number) => void) | undefined
  private pumping = false
  private pumpAgain = false
  private sent = 0
  /** Entries under a snapshot the peer took from us, still to send it once caught up (first range first). */
  private readonly backfill: MissingRange[] = []
  /** Entries to read for the next batch: what the last page showed fits in one (see `readBatch`). */
  private pageEntries: number

  constructor(private readonly deps: OutboundDeps, options: OutboundOptions = {}) {
    this.batchEntries = options.batchEntries ?? BATCH_ENTRIES
    this.maxBatchBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES
    this.windowBatches = options.windowBatches ?? WINDOW_BATCHES
    this.pageEntries = this.batchEntries
    this.report = deps.progress === undefined ? undefined : paced(deps.progress)
  }

  /** Whether the peer's vector is known (its hello came). */
  get started(): boolean {
    return this.peerVector !== undefined
  }

  /** Whether the first catch-up was sent entirely. */
  get sentFinal(): boolean {
    return this.caughtUp
  }

  get entriesSent(): number {
    return this.sent
  }

  /**
   * Starts the catch-up from the peer's hello vector; with `snapshot`, the
   * vector of a snapshot just sent to it: only the entries after it are sent
   * first, and those under it (the backfill) after the catch-up.
   */
  begin(peerVector: VersionVector, snapshot?: VersionVector): void {
    this.peerVector = snapshot === undefined ? peerVector : mergeVectors(peerVector, snapshot)
    if (snapshot !== undefined) this.backfill.push(...missingRanges(peerVector, snapshot))
    const held = this.deps.store.versionVector()
    this.total = missingCount(this.peerVector, held)
    const lacking = missingCount(peerVector, held)
    if (lacking > 0 && this.report !== undefined) this.serving = { done: 0, total: lacking }
    this.pump()
  }

  /** The peer sent us these entries: it holds them. */
  noteHeld(entries: readonly LogEntry[]): void {
    if (this.peerVector !== undefined) this.peerVector = advanceVector(this.peerVector, entries)
  }

  /** New entries are in the store: send those the peer lacks. */
  push(entries: readonly LogEntry[]): void {
    const known = this.peerVector
    if (known === undefined || this.stopped) return
    if (entries.every((entry) => entry.seq <= seqOf(known, entry.deviceId))) return
    if (!this.sendLive(known, entries)) this.pump()
  }

  /** The peer processed our oldest batch; PROTOCOL_ERROR if no batch of that size awaits an ack. */
  ack(count: number): void {
    if (this.inFlight.length === 0 || this.inFlight[0].count !== count) {
      throw new LanvaultError("PROTOCOL_ERROR", "an ack that matches no batch sent")
    }
    const { serves } = this.inFlight.shift()!
    if (serves && this.serving !== undefined) this.serving.done += count
    this.pump()
    this.reportServing()
  }

  stop(): void {
    this.stopped = true
    this.inFlight.length = 0
    this.serving = undefined
  }

  /**
   * Reports serving progress after an ack: done once the catch-up and the
   * backfill are sent and acknowledged (entries the store no longer holds,
   * under its floor, then count as served: the peer has the snapshot).
   */
  private reportServing(): void {
    const serving = this.serving
    if (serving === undefined) return
    const finished = this.caughtUp && this.backfill.length === 0 && !this.inFlight.some((batch) => batch.serves)
    if (finished) serving.done = serving.total
    else serving.done = Math.min(serving.done, serving.total - 1)
    this.report!(serving.done, serving.total)
    if (finished) this.serving = undefined
  }

  /** Sends batches while the window allows; re-entry (a synchronous link) only asks for another round. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true
      return
    }
    this.pumping = true
    try {
      do {
        this.pumpAgain = false
        while (!this.stopped && this.inFlight.length < this.windowBatches && this.sendBatch());
      } while (this.pumpAgain)
    } finally {
      this.pumping = false
    }
  }

  /**
   * Sends new entries as they are, with no read of the store, when that is what the pump would
   * send: the first catch-up and any backfill are done, the window has room, and each device's
   * entries follow on from what the peer holds. Says whether it sent them; otherwise the pump reads
   * the store (a peer still catching up, a full window, entries it partly holds).
   */
  private sendLive(known: VersionVector, entries: readonly LogEntry[]): boolean {
    if (!this.caughtUp || this.pumping || this.backfill.length > 0 || this.inFlight.length >= this.windowBatches) return false
    if (entries.length > this.batchEntries || takeBatch(entries, this.maxBatchBytes).length < entries.length) return false
    const next = { ...known }
    for (const entry of entries) {
      if (entry.seq !== seqOf(next, entry.deviceId) + 1) return false
      next[entry.deviceId] = entry.seq
    }
    if (!this.deps.send({ type: "entries", entries: [...entries] })) {
      this.stop()
      return true
    }
    this.inFlight.push({ count: entries.length, serves: false })
    this.peerVector = next
    this.sent += entries.length
    return true
  }

  /** Sends the next batch the peer lacks; false when there is nothing to send. */
  private sendBatch(): boolean {
    const known = this.peerVector
    if (known === undefined) return false
    const { page, batch, limit } = this.readBatch((max) => this.deps.store.entriesAfter(known, max))
    if (batch.length === 0 && this.caughtUp) return this.sendBackfill()
    const message: EntriesMessage = { type: "entries", entries: batch }
    // Fewer than asked for: the store holds no more the peer lacks.
    const final = !this.caughtUp && page.length < limit && batch.length === page.length
    if (final) message.final = true
    if (this.total !== undefined) message.total = this.total
    if (!this.deps.send(message)) {
      this.stop()
      return false
    }
    this.total = undefined
    this.inFlight.push({ count: batch.length, serves: true })
    this.peerVector = advanceVector(known, batch)
    this.sent += batch.length
    if (final) {
      this.caughtUp = true
      this.deps.onCaughtUp()
    }
    return true
  }

  /** Sends the next batch of the backfill; false when it is done. Never before the catch-up, so it never delays it. */
  private sendBackfill(): boolean {
    while (this.backfill.length > 0) {
      const range = this.backfill[0]
      const { batch } = this.readBatch((max) => this.deps.store.entriesOf(range.deviceId, range.afterSeq, Math.min(max, range.toSeq - range.afterSeq)).filter((entry) => entry.seq <= range.toSeq))
      if (batch.length === 0) {
        this.backfill.shift()
        continue
      }
      range.afterSeq = batch[batch.length - 1].seq
      if (range.afterSeq >= range.toSeq) this.backfill.shift()
      if (!this.deps.send({ type: "entries", entries: batch })) {
        this.stop()
        return false
      }
      this.inFlight.push({ count: batch.length, serves: true })
      this.sent += batch.length
      return true
    }
    return false
  }

  /**
   * Reads a page and takes the next batch from it. The page is sized by the last
   * one: cut by bytes, the next reads one entry more than fitted; all fitted, it
   * reads twice as many (up to `batchEntries`). Without this, big entries (an
   * import writes one per bucket, ~100 KiB each) made every batch read 500
   * entries, tens of MiB, to send the 1 MiB that fits.
   */
  private readBatch(read: (limit: number) => LogEntry[]): { page: LogEntry[]; batch: LogEntry[]; limit: number } {
    const limit = Math.max(1, Math.min(this.batchEntries, this.pageEntries))
    const page = read(limit)
    const batch = takeBatch(page, this.maxBatchBytes)
    this.pageEntries = batch.length < page.length ? batch.length + 1 : Math.min(this.batchEntries, limit * 2)
    return { page, batch, limit }
  }
}
