/**
 * An import's records taken in from where they were written (the import's
 * worker thread, issue 18): the ids and buckets are chosen here, by the vault's
 * allocator, and the buckets that did not exist are reserved while the worker
 * writes each whole (merge/bucket-fill.ts); they come back one at a time and
 * are installed cold. A fresh bucket the worker handed over (this thread was
 * idle) is written whole here, one at a time; records for buckets that already
 * hold some come back as inputs and are created the usual way. Every
 * BATCH_GROUPS groups (or BATCH_MS) are committed together (one transaction,
 * one fsync), with a turn of the event loop after each group, so the socket and
 * peers are served.
 */
import { performance } from "node:perf_hooks"
import { setImmediate as nextTurn } from "node:timers/promises"
import { LanvaultError, LockedError } from "../errors.js"
import { fillNewBucket, writtenWhole, type FilledGroup, type FilledSource, type FillGroup, type FillPlan } from "../merge/bucket-fill.js"
import type { BucketChange, RecordInput } from "../merge/types.js"
import { EXISTING_BUCKET_PART, partsOf, planIds, type BulkCreateDeps } from "./bulk-create.js"
import type { UnlockedVault } from "./unlocked-vault.js"
import type { ChangedRecord } from "./vault-changes.js"

/**
 * Groups (≈ 128 records each) committed together: one fsync for about 500
 * records, a commit holding the event loop ≈ 15 ms. Committed each 25 ms of
 * wall time instead (≈ 3 groups on a quiet machine, one on a busy one), a 50k
 * import made up to four times as many fsyncs, and the worker waited on them.
 */
const BATCH_GROUPS = 4
/** A batch is committed after this long even if short (a slow writer's records are durable soon). */
const BATCH_MS = 100

/**
 * Creates the records of `source`; resolves with their ids, in the source's
 * order. A failure midway (a full disk, a lock, the worker failing) keeps the
 * batches committed before it; the reservations end either way.
 */
export async function createFilled(deps: BulkCreateDeps, source: FilledSource, progress?: (done: number, total: number) => void): Promise<string[]> {
  const first = deps.open()
  const { ids, groups } = await planIds(first, source.count)
  const held = new Set(first.doc.bucketNumbers())
  const plan: FillGroup[] = []
  for (const [bucket, indexes] of groups) {
    // A bucket that exists takes usual changes, which cost more per record: its records go in parts.
    const parts = held.has(bucket) ? partsOf(indexes, EXISTING_BUCKET_PART) : [indexes]
    for (const part of parts) plan.push({ bucket, indexes: part, ids: part.map((index) => ids[index]), fresh: !held.has(bucket) })
  }
  const fresh = plan.filter((group) => group.fresh).map((group) => group.bucket)
  first.doc.allocation.reserve(fresh)
  try {
    let pending: Array<[FillGroup, FilledGroup]> = []
    // Since the last commit: a writer slower than BATCH_MS a group has each committed as it comes.
    let batchStart = performance.now()
    let done = 0
    let records = 0
    const fillPlan: FillPlan = { actor: first.doc.actorId, now: first.doc.now(), groups: plan }
    for await (const written of source.fill(fillPlan)) {
      if (done + pending.length >= plan.length) throw new LanvaultError("INTERNAL", "the import's writer sent more groups than planned")
      const group = plan[done + pending.length]
      const filled = written.filled === undefined ? writeHere(fillPlan, group, written.inputs) : written
      // A bucket written here held the event loop (≈ 15-30 ms): the socket gets a turn before a commit adds its own.
      if (filled !== written) await nextTurn()
      pending.push([group, filled])
      if (pending.length >= BATCH_GROUPS || performance.now() - batchStart >= BATCH_MS) {
        records += commit(deps, first, pending)
        done += pending.length
        pending = []
        progress?.(records, source.count)
        batchStart = performance.now()
      }
      await nextTurn()
    }
    if (pending.length > 0) records += commit(deps, first, pending)
    done += pending.length
    if (done !== plan.length || records !== source.count) throw new LanvaultError("INTERNAL", "the import's writer ended before every group was written")
    progress?.(source.count, source.count)
    return ids
  } finally {
    first.doc.allocation.release(fresh)
  }
}

/** A fresh bucket's group handed over as inputs, written whole here (as the worker would); any other group as it came. */
function writeHere(plan: FillPlan, group: FillGroup, inputs: RecordInput[]): FilledGroup {
  if (!writtenWhole(group.fresh, inputs)) return { inputs }
  return { filled: fillNewBucket(plan.actor, inputs.map((input, i) => ({ id: group.ids[i], input })), plan.now) }
}

/** Installs or creates each pending group and makes them durable in one transaction; returns how many records. */
function commit(deps: BulkCreateDeps, first: UnlockedVault, pending: ReadonlyArray<[FillGroup, FilledGroup]>): number {
  const open = deps.open()
  // Locked and unlocked again meanwhile: the plan (ids, reservations) was the other session's.
  if (open !== first) throw new LockedError()
  const changes: BucketChange[] = []
  const changed: ChangedRecord[] = []
  for (const [group, written] of pending) {
    if (written.filled !== undefined) changes.push(open.doc.installFilled(group.bucket, written.filled))
    else changes.push(...open.createWithIds(group.ids, written.inputs))
    for (const id of group.ids) changed.push({ id })
  }
  deps.persist(changes, changed)
  return changed.length
}
