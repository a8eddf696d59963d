import type { LogEntry } from "../store/log-entry.js"
import type { TrustEntry } from "../store/vault-store.js"
import { verifyBatch, verifyBatchInSlices } from "./entry-batch.js"
import type { EntriesMessage } from "./messages.js"

/**
 * Signatures checked per turn of the event loop (each ≈ 0.1 ms): a batch of at
 * most this many (a live edit) is checked at once; a larger one (a first sync,
 * the entries under a snapshot) a slice per turn, so the socket, an unlock and
 * the other links are served meanwhile.
 */
export const VERIFY_SLICE_ENTRIES = 64

/** What an {@link EntryIntake} needs of its session. */
export interface EntryIntakeDeps {
  accountId: Uint8Array
  lookup: (deviceId: string) => TrustEntry | undefined
  /** Work a person waits for (an unlock) that a large batch lets go first: a promise to wait for, or undefined. */
  busyUntil?: () => Promise<unknown> | undefined
  /** Progress of the peer's first catch-up. */
  progress: (done: number, total: number) => void
  /** The last batch of the peer's first catch-up was stored. */
  caughtUp: () => void
}

/**
 * The receiving half of a session's entries, up to storing them: each batch
 * is verified (every entry signed by its device, a trusted one) before any of
 * it is stored, and the peer's first catch-up is tracked for progress.
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

  /**
   * The batch's entries to store (verifyBatch): at once for a small batch, else
   * a promise that settles once every slice is checked (waiting, before each, for
   * `busyUntil`: a new device's unlock is not slowed by checking its backfill). Throws, or rejects, to refuse the whole batch.
   */
  check(message: EntriesMessage): LogEntry[] | Promise<LogEntry[]> {
    const { accountId, lookup } = this.deps
    if (message.entries.length <= this.sliceEntries) return verifyBatch(message.entries, accountId, lookup)
    return verifyBatchInSlices(message.entries, accountId, lookup, this.sliceEntries, this.deps.busyUntil)
  }

  /** The batch was stored: counts it, and tracks the peer's first catch-up. */
  stored(message: EntriesMessage): void {
    this.received += message.entries.length
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
