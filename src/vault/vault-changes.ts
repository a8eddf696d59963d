import { LockedError, NotFoundError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import type { EventParams } from "../api/protocol.js"
import type { VaultDoc } from "../merge/index.js"
import type { BucketChange, RecordInput, RecordPatch, VaultRecord } from "../merge/types.js"
import type { LogEntry } from "../store/index.js"
import type { SnapshotPolicy } from "./snapshot-policy.js"
import type { UnlockedVault } from "./unlocked-vault.js"

/** A record an edit changed, for its `record.changed` event. */
export interface ChangedRecord {
  id: string
  deleted?: boolean
}

/** What an edit did to the doc: not yet durable, so not yet answered. */
export interface AppliedEdit<T> {
  changes: BucketChange[]
  changed: ChangedRecord
  /** The answer, read once the batch is durable and sent to the peers (an edit's record is read off their path). */
  result: () => T
}

/**
 * Where this device's new log entries go once they are durable: sync pushes them to the peers,
 * the sync folders write them, the backups count them. Each sink is wired in at start by the
 * composition root and called directly here.
 */
export interface LocalEntrySink {
  publishLocal(entries: LogEntry[]): void
}

/** An edit waiting for the next group commit, and its caller. */
interface QueuedEdit {
  /** Changes the doc; throws, having changed nothing, to refuse this edit alone. */
  apply: (doc: VaultDoc) => AppliedEdit<unknown>
  resolve: (result: unknown) => void
  reject: (error: unknown) => void
}

export interface VaultChangesDeps {
  /** The open vault, or undefined when locked. */
  open: () => UnlockedVault | undefined
  logger: Logger
  /** The socket's events (`record.changed`). */
  publish: (event: EventParams) => void
  snapshots: Pick<SnapshotPolicy, "noteActivity" | "check">
  /** The disk refused a commit: rebuild the open vault from what is durable (or lock it). */
  reloadFromDisk: () => void
}

/**
 * The records' changes, both ways. This device's edits are group-committed: those
 * arriving in one turn of the event loop (and so those that arrived while the previous
 * commit was writing) are applied together, written in one store transaction (one fsync
 * for all of them), answered, and handed to the sinks. Entries from peers, already
 * verified and stored, are merged into the open vault.
 */
export class VaultChanges {
  private readonly queue: QueuedEdit[] = []
  private readonly sinks = new Set<LocalEntrySink>()

  constructor(private readonly deps: VaultChangesDeps) {}

  /** Adds where new local entries go (in order of adding); returns a function that removes it. */
  addSink(sink: LocalEntrySink): () => void {
    this.sinks.add(sink)
    return () => this.sinks.delete(sink)
  }

  /** Creates a record; resolves with its id once it is durable (group commit). */
  create(input: RecordInput): Promise<string> {
    return this.enqueue((doc) => {
      const { id, changes } = doc.create(input)
      return { changes, changed: { id }, result: () => id }
    })
  }

  /**
   * Edits a record; resolves with the record once the edit is durable (group commit): as the
   * batch left it (an edit of the same record later in the batch included).
   */
  update(id: string, patch: RecordPatch): Promise<VaultRecord> {
    return this.enqueue((doc) => {
      const changes = doc.patch(id, patch)
      return { changes, changed: { id }, result: () => readBack(doc, id) }
    })
  }

  /** Trashes a record, or deletes it for good; resolves once that is durable (group commit). */
  remove(id: string, permanent: boolean): Promise<void> {
    return this.enqueue((doc) => {
      const changes = permanent ? doc.deletePermanently(id) : doc.trash(id)
      return { changes, changed: permanent ? { id, deleted: true } : { id }, result: () => undefined }
    })
  }

  /** Queues an edit for the next group commit; LOCKED at once if the vault is locked. */
  enqueue<T>(apply: (doc: VaultDoc) => AppliedEdit<T>): Promise<T> {
    if (!this.deps.open()) return Promise.reject(new LockedError())
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
    this.deps.snapshots.noteActivity()
    const doc = this.deps.open()?.doc
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
      this.persist(applied.flatMap(({ done }) => done.changes), applied.map(({ done }) => done.changed))
    } catch (error) {
      for (const { edit } of applied) edit.reject(error)
      return
    }
    for (const { edit, done } of applied) {
      try {
        edit.resolve(done.result())
      } catch (error) {
        edit.reject(error)
      }
    }
  }

  /**
   * Makes local changes durable, then announces them and hands the entries to the sinks. If the disk
   * refuses, the in-memory doc already holds the edits, so it is rebuilt from what is durable and the
   * error goes to the callers: an acknowledged edit is on disk, a refused one is nowhere.
   */
  persist(changes: BucketChange[], changed: ChangedRecord[]): void {
    const open = this.deps.open()
    if (!open) throw new LockedError()
    let entries: LogEntry[]
    try {
      entries = open.commit(changes)
    } catch (error) {
      this.deps.logger.error("an edit could not be stored; reloading the vault from disk", errorFields(error))
      this.deps.reloadFromDisk()
      throw error
    }
    for (const { id, deleted } of changed) this.deps.publish({ type: "record.changed", id, origin: "local", ...(deleted ? { deleted } : {}) })
    if (entries.length > 0) {
      for (const sink of this.sinks) sink.publishLocal(entries)
    }
    this.deps.snapshots.check()
  }

  /** Merges entries that peers sent and the store accepted; a locked vault merges them at unlock. */
  applyRemote(entries: LogEntry[]): void {
    const open = this.deps.open()
    if (!open || entries.length === 0) return
    this.deps.snapshots.noteActivity()
    this.announceRemote(open.applyEntries(entries))
    this.deps.snapshots.check()
  }

  /** A peer's snapshot set was stored (snapshot-first sync): an open vault merges it now, a locked one at unlock. */
  applySnapshot(): void {
    const open = this.deps.open()
    if (open) this.announceRemote(new Set(open.mergeStoredSnapshot()))
  }

  /** `record.changed` for records a peer's entries (or newly readable ones) changed. */
  announceRemote(ids: Iterable<string>): void {
    const doc = this.deps.open()?.doc
    if (!doc) return
    for (const id of ids) this.deps.publish({ type: "record.changed", id, origin: "remote", ...(doc.has(id) ? {} : { deleted: true }) })
  }
}

/** A record just edited, as its batch left it; NOT_FOUND if a later edit of the batch deleted it. */
function readBack(doc: VaultDoc, id: string): VaultRecord {
  const record = doc.get(id)
  if (record === undefined) throw new NotFoundError(`record ${id}`)
  return record
}
