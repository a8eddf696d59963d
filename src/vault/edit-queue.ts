import { LockedError } from "../errors.js"
import type { VaultDoc } from "../merge/index.js"
import type { BucketChange } from "../merge/types.js"

/** A record an edit changed, for its `record.changed` event. */
export interface ChangedRecord {
  id: string
  deleted?: boolean
}

/** What an edit did to the doc: not yet durable, so not yet answered. */
export interface AppliedEdit<T> {
  changes: BucketChange[]
  changed: ChangedRecord
  result: T
}

/** An edit waiting for the next group commit, and its caller. */
interface QueuedEdit {
  /** Changes the doc; throws, having changed nothing, to refuse this edit alone. */
  apply: (doc: VaultDoc) => AppliedEdit<unknown>
  resolve: (result: unknown) => void
  reject: (error: unknown) => void
}

export interface EditQueueDeps {
  /** The open vault's doc, or undefined when locked. */
  doc: () => VaultDoc | undefined
  /** Makes the batch's changes durable (one transaction); throws if the disk refuses. */
  persist: (changes: BucketChange[], changed: ChangedRecord[]) => void
  /** A commit ran (holds back a due snapshot). */
  onActivity: () => void
}

/**
 * The group commit: edits arriving in one turn of the event loop (and so those
 * that arrived while the previous commit was writing) are applied together and
 * written in one store transaction, one fsync for all of them.
 */
export class EditQueue {
  private readonly queue: QueuedEdit[] = []

  constructor(private readonly deps: EditQueueDeps) {}

  /** Queues an edit for the next group commit; LOCKED at once if the vault is locked. */
  enqueue<T>(apply: (doc: VaultDoc) => AppliedEdit<T>): Promise<T> {
    if (!this.deps.doc()) return Promise.reject(new LockedError())
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ apply, resolve: resolve as (result: unknown) => void, reject })
      // Requests read in this turn of the event loop join the queue before the commit runs.
      if (this.queue.length === 1) setImmediate(() => this.commit())
    })
  }

  /**
   * Applies every queued edit to the doc, writes all their changes in one
   * transaction, and only then answers the callers. An edit the doc refuses
   * (NOT_FOUND, INVALID_PARAMS) fails alone and changed nothing; if the disk
   * refuses the transaction, every edit of the batch fails with that error.
   */
  commit(): void {
    const queued = this.queue.splice(0)
    if (queued.length === 0) return
    this.deps.onActivity()
    const doc = this.deps.doc()
    if (!doc) {
      for (const edit of queued) edit.reject(new LockedError())
      return
    }
    const applied: Array<{ edit: QueuedEdit; done: AppliedEdit<unknown> }> = []
    for (const edit of queued) {
      try {
        applied.push({ edit, done: edit.apply(doc) })
      } catch (error) {
        edit.reject(error)
      }
    }
    try {
      this.deps.persist(applied.flatMap(({ done }) => done.changes), applied.map(({ done }) => done.changed))
    } catch (error) {
      for (const { edit } of applied) edit.reject(error)
      return
    }
    for (const { edit, done } of applied) edit.resolve(done.result)
  }
}
