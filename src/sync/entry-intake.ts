import type { Logger } from "../log.js"
import type { LogEntry } from "../store/log-entry.js"
import { verifyBatch, verifyBatchInSlices } from "./entry-batch.js"
import type { EntriesMessage } from "./messages.js"
import type { SessionStore } from "./ports.js"

/**
 * Signatures checked per turn of the event loop (each ≈ 0.1 ms): a batch of at
 * most this many (a live edit) is checked and stored at once; a larger one (a
 * first sync, the entries under a snapshot) a slice per turn, so the socket,
 * an unlock and the other links are served meanwhile.
 */
export const VERIFY_SLICE_ENTRIES = 64

/** What an {@link EntryIntake} needs of its session. */
export interface EntryIntakeDeps {
  store: Pick<SessionStore, "getTrust" | "insertEntries">
  logger: Logger
  accountId: Uint8Array
  remoteDeviceId: string
  /** Whether the session ended meanwhile (a batch checked across turns is then dropped). */
  closed: () => boolean
  /** The batch is stored: note what the peer holds, acknowledge it. */
  stored: (message: EntriesMessage) => void
  /** Entries of the batch this device did not hold: merge them (called directly, it must not throw). */
  merge: (inserted: LogEntry[]) => void
  /** Progress of the peer's first catch-up. */
  progress: (done: number, total: number) => void
  /** The last batch of the peer's first catch-up was stored. */
  caughtUp: () => void
}

/**
 * The receiving half of a session's entries: each batch is verified (every
 * entry signed by its device, a trusted one) before any of it is stored, then
 * stored atomically, and the peer's first catch-up is tracked for progress.
 */
export class EntryIntake {
  private received = 0
  private receivedFinal = false
  private incoming: { done: number; total: number } | undefined

  constructor(private readonly deps: EntryIntakeDeps, private readonly sliceEntries = VERIFY_SLICE_ENTRIES) {}

  get entriesReceived(): number {
    return this.received
  }

  /** Whether the peer's first catch-up is in. */
  get caughtUpFromPeer(): boolean {
    return this.receivedFinal
  }

  /** Verifies and stores a batch: at once if small, else across turns (the promise settles once stored; it rejects to refuse the batch). */
  take(message: EntriesMessage): void | Promise<void> {
    const { store, accountId } = this.deps
    const lookup = (deviceId: string) => store.getTrust(deviceId)
    if (message.entries.length <= this.sliceEntries) return this.store(message, verifyBatch(message.entries, accountId, lookup))
    return verifyBatchInSlices(message.entries, accountId, lookup, this.sliceEntries).then((accepted) => {
      if (!this.deps.closed()) this.store(message, accepted)
    })
  }

  private store(message: EntriesMessage, accepted: LogEntry[]): void {
    const { entries } = message
    if (accepted.length < entries.length) {
      this.deps.logger.warn("refused entries of a revoked device made after its revocation", { deviceId: this.deps.remoteDeviceId, count: entries.length - accepted.length })
    }
    const { inserted } = this.deps.store.insertEntries(accepted, { waitForDisk: false }) // copies: their author holds them durably (EntryLog)
    this.received += entries.length
    this.deps.stored(message)
    this.trackProgress(message)
    if (inserted.length > 0) this.deps.merge(inserted)
  }

  private trackProgress(message: EntriesMessage): void {
    if (this.receivedFinal) return
    if (message.total !== undefined) this.incoming = { done: 0, total: message.total }
    const progress = this.incoming
    if (progress !== undefined && message.entries.length > 0) {
      progress.done += message.entries.length
      progress.total = Math.max(progress.total, progress.done)
      if (progress.total > 0) this.deps.progress(progress.done, progress.total)
    }
    if (message.final === true) {
      this.receivedFinal = true
      this.incoming = undefined
      this.deps.caughtUp()
    }
  }
}
