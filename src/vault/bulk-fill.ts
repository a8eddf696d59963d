/**
 * Many new records created at once (an import, the records of a former vault),
 * without holding the event loop (issue 18). The ids and buckets are chosen
 * here, by the vault's allocator (bulk-plan.ts), and the buckets that did not
 * exist are reserved while they are written. An import's records are written
 * on its worker thread, each fresh bucket whole (merge/bucket-fill.ts), and come
 * back one group at a time to be installed cold; a fresh bucket handed over
 * (this thread was idle), and every group of records given as a list, is
 * written whole here, one a turn; records for buckets that already hold some
 * are created the usual way. Every BATCH_GROUPS groups (or BATCH_MS, or
 * USUAL_GROUPS made the usual way) are committed together (one transaction, one
 * fsync), with a turn of the event loop after each group, so the socket and
 * peers are served.
 */
import { performance } from "node:perf_hooks"
import { setImmediate as nextTurn } from "node:timers/promises"
import { LanvaultError, LockedError } from "../errors.js"
import { fillGroups, fillNewBucket, writtenWhole, type FilledGroup, type FilledSource, type FillGroup, type FillPlan } from "../merge/bucket-fill.js"
import type { BucketChange, RecordInput } from "../merge/types.js"
import { checkRecordInput } from "../merge/validate.js"
import { planGroups, type BulkCreateDeps } from "./bulk-plan.js"
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
 * Groups made the usual way in one batch, at most: each is made in the commit
 * (≈ 13 ms for a part of a bucket that held records), and four held the event
 * loop ≈ 50 ms.
 */
const USUAL_GROUPS = 2

/**
 * Creates `records`, a list (checked first, all before any is created; consumed:
 * each entry is dropped once handed on) or records written elsewhere; resolves
 * with their ids, in order. A failure midway (a full disk, a lock, the worker
 * failing) keeps the batches committed before it; the reservations end either way.
 */
export async function createInBulk(deps: BulkCreateDeps, records: RecordInput[] | FilledSource, progress?: (done: number, total: number) => void): Promise<string[]> {
  const source = Array.isArray(records) ? sourceOf(records) : records
  const first = deps.open()
  const { ids, groups: plan } = await planGroups(first, source.count, source.check)
  const fresh = plan.filter((group) => group.fresh).map((group) => group.bucket)
  first.doc.allocation.reserve(fresh)
  try {
    let pending: Array<[FillGroup, FilledGroup]> = []
    // Since the last commit: a writer slower than BATCH_MS a group has each committed as it comes.
    let batchStart = performance.now()
    let done = 0
    let created = 0
    let usual = 0
    const fillPlan: FillPlan = { actor: first.doc.actorId, now: first.doc.now(), groups: plan }
    for await (const written of source.fill(fillPlan)) {
      if (done + pending.length >= plan.length) throw new LanvaultError("INTERNAL", "the import's writer sent more groups than planned")
      const group = plan[done + pending.length]
      const filled = written.filled === undefined ? writeHere(fillPlan, group, written.inputs) : written
      // A bucket written here held the event loop (≈ 15-30 ms): the socket gets a turn before a commit adds its own.
      if (filled !== written) await nextTurn()
      pending.push([group, filled])
      if (filled.filled === undefined) usual++
      if (pending.length >= BATCH_GROUPS || usual >= USUAL_GROUPS || performance.now() - batchStart >= BATCH_MS) {
        created += commit(deps, first, pending)
        done += pending.length
        pending = []
        usual = 0
        progress?.(created, source.count)
        batchStart = performance.now()
      }
      await nextTurn()
    }
    if (pending.length > 0) created += commit(deps, first, pending)
    done += pending.length
    if (done !== plan.length || created !== source.count) throw new LanvaultError("INTERNAL", "the import's writer ended before every group was written")
    progress?.(source.count, source.count)
    return ids
  } finally {
    first.doc.allocation.release(fresh)
  }
}

/**
 * Records given as a list, as a source written on this thread: each checked as
 * it is planned, and every group handed over as inputs (writeHere writes whole
 * what it can). Consumes `inputs`.
 */
function sourceOf(inputs: RecordInput[]): FilledSource {
  return {
    count: inputs.length,
    check: (index) => checkRecordInput(inputs[index]),
    async *fill(plan) {
      yield* fillGroups(inputs, plan, () => true)
    },
  }
}

/** A fresh bucket's group handed over as inputs, written whole here (as the worker would); any other group as it came. */
function writeHere(plan: FillPlan, group: FillGroup, inputs: RecordInput[]): FilledGroup {
  if (!writtenWhole(group.fresh, inputs)) return { inputs }
  return { filled: fillNewBucket(plan.actor, inputs.map((input, i) => ({ id: group.ids[i], input })), plan.now) }
}

/**
 * Installs or creates each pending group and makes them durable in one
 * transaction; returns how many records. A group that fails (a record the doc
 * refuses) ends it: those made before it are made durable, then the error thrown.
 */
function commit(deps: BulkCreateDeps, first: UnlockedVault, pending: ReadonlyArray<[FillGroup, FilledGroup]>): number {
  const open = deps.open()
  // Locked and unlocked again meanwhile: the plan (ids, reservations) was the other session's.
  if (open !== first) throw new LockedError()
  const changes: BucketChange[] = []
  const changed: ChangedRecord[] = []
  try {
    for (const [group, written] of pending) {
      if (written.filled !== undefined) changes.push(open.doc.installFilled(group.bucket, written.filled))
      else changes.push(...open.createWithIds(group.ids, written.inputs))
      for (const id of group.ids) changed.push({ id })
    }
  } catch (error) {
    // The doc holds the groups made before this one: they are made durable too, so the vault never lists what its log lacks.
    if (changes.length > 0) deps.persist(changes, changed)
    throw error
  }
  deps.persist(changes, changed)
  return changed.length
}
