/**
 * Many new records at once (an import), created without holding the event
 * loop: grouped by bucket, created a bucket at a time (one Automerge change
 * and one log entry per bucket), committed once per slice of
 * about SLICE_MS of CPU (one transaction, one fsync), with a turn of the event loop
 * between slices so the socket and the peers are served meanwhile (issue 18).
 */
import { performance } from "node:perf_hooks"
import { setImmediate as nextTurn } from "node:timers/promises"
import type { BucketChange, RecordInput } from "../merge/types.js"
import type { ChangedRecord } from "./vault-changes.js"
import type { UnlockedVault } from "./unlocked-vault.js"

/** How much CPU time one slice may take while holding the event loop. */
const SLICE_MS = 25
/** Records created in one change in a bucket that already exists (≈ 0.4 ms each: a part stays well under a slice). */
export const EXISTING_BUCKET_PART = 32
/** Records planned between two looks at the clock; ids are made this many at a time. */
const CLOCK_EVERY = 64

export interface BulkCreateDeps {
  /** The open vault now (LOCKED if it locked meanwhile: the import stops there). */
  open: () => UnlockedVault
  /** Makes changes durable in one transaction and announces the records. */
  persist: (changes: BucketChange[], changed: ChangedRecord[]) => void
}

/**
 * Creates `inputs` in slices; resolves with their ids in input order. All are
 * checked before the first is created (also in slices); a failure midway (a full
 * disk, a lock) keeps the slices committed before it. Consumes `inputs`: each
 * entry is set to undefined once created.
 */
export async function createInSlices(deps: BulkCreateDeps, inputs: RecordInput[], progress?: (done: number, total: number) => void): Promise<string[]> {
  const first = deps.open()
  const { ids, groups } = await planIds(first, inputs.length, (index) => first.checkInputs([inputs[index]]))
  // A group is one bucket's new records (at most BUCKET_FULL_RECORDS), created as one change:
  // a bucket that did not exist is then written whole and left cold (merge/bucket-fill.ts). One
  // that exists takes a usual change, which costs more per record: its group goes in parts.
  const held = new Set(first.doc.bucketNumbers())
  const queue = [...groups].flatMap(([bucket, group]) => (held.has(bucket) ? partsOf(group, EXISTING_BUCKET_PART) : [group]))
  let done = 0
  while (queue.length > 0) {
    const slice = new SliceClock()
    const changes: BucketChange[] = []
    const changed: ChangedRecord[] = []
    do {
      const indexes = queue.pop()!
      changes.push(...deps.open().createWithIds(indexes.map((i) => ids[i]), indexes.map((i) => inputs[i])))
      // Created: the input is the vault's now, and a big import's 50k inputs are garbage as they land, not at the end.
      for (const i of indexes) {
        (inputs as Array<RecordInput | undefined>)[i] = undefined
        changed.push({ id: ids[i] })
      }
    } while (queue.length > 0 && !slice.spent())
    deps.persist(changes, changed)
    done += changed.length
    progress?.(done, inputs.length)
    await nextTurn()
  }
  return ids
}

/**
 * Ids for `count` new records in buckets with room, chosen at once (cheap) so an import fills each
 * bucket to its bound, and their positions grouped by bucket; made in slices (50k take a second),
 * `check(index)` run on each first.
 */
export async function planIds(vault: UnlockedVault, count: number, check?: (index: number) => void): Promise<{ ids: string[]; groups: Map<number, number[]> }> {
  const ids: string[] = new Array(count)
  const groups = new Map<number, number[]>()
  const buckets = vault.doc.pickBuckets(count)
  // Picking for 50k records takes ≈ 15 ms: the socket gets a turn before the first slice.
  await nextTurn()
  await forEachInSlices(count, (index) => {
    check?.(index)
    if (index % CLOCK_EVERY === 0) ids.splice(index, CLOCK_EVERY, ...vault.doc.newIdsIn(buckets.slice(index, index + CLOCK_EVERY)))
    const bucket = vault.bucketOf(ids[index])
    const group = groups.get(bucket)
    if (group) group.push(index)
    else groups.set(bucket, [index])
  })
  return { ids, groups }
}

/** `items` cut into parts of at most `size`. */
export function partsOf<T>(items: T[], size: number): T[][] {
  const parts: T[][] = []
  for (let from = 0; from < items.length; from += size) parts.push(items.slice(from, from + size))
  return parts
}

/** Runs `step(0 … count-1)`, yielding to the event loop whenever a slice has run SLICE_MS. */
async function forEachInSlices(count: number, step: (index: number) => void): Promise<void> {
  let slice = new SliceClock()
  for (let index = 0; index < count; index++) {
    step(index)
    if (index % CLOCK_EVERY === CLOCK_EVERY - 1 && slice.spent()) {
      await nextTurn()
      slice = new SliceClock()
    }
  }
}

/**
 * A slice's clock. Slices are measured in CPU time, not wall time: on a busy
 * machine wall time also counts other processes' turns, and slices sized by it
 * would shrink until their fixed cost dominated. Reading the process's CPU time
 * is a system call (summing every thread) that was read once per bucket; this
 * thread's CPU time cannot pass the wall time, so it is read only once the slice
 * has run SLICE_MS of wall time, and then again only after as much wall time as
 * the CPU time still lacks.
 */
class SliceClock {
  private readonly cpuStart = cpuMs()
  private nextLook = performance.now() + SLICE_MS

  /** Whether the slice has run SLICE_MS of CPU time (and at least as much wall time). */
  spent(): boolean {
    const now = performance.now()
    if (now < this.nextLook) return false
    const lacking = SLICE_MS - (cpuMs() - this.cpuStart)
    if (lacking <= 0) return true
    this.nextLook = now + lacking
    return false
  }
}

/** CPU time this process has used (every thread), ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1_000
}
