/**
 * Where many new records go (an import, the records of a former vault): ids
 * and buckets chosen at once by the vault's allocator, grouped by bucket, in
 * slices of about SLICE_MS of CPU with a turn of the event loop between them
 * (issue 18). Writing them is bulk-fill.ts's.
 */
import { performance } from "node:perf_hooks"
import { setImmediate as nextTurn } from "node:timers/promises"
import type { FillGroup } from "../merge/bucket-fill.js"
import type { BucketChange } from "../merge/types.js"
import type { ChangedRecord } from "./vault-changes.js"
import type { UnlockedVault } from "./unlocked-vault.js"

/** How much CPU time one slice of planning may take while holding the event loop. */
const SLICE_MS = 25
/** Records created in one change in a bucket that already exists (≈ 0.4 ms each: ≈ 13 ms a part). */
const EXISTING_BUCKET_PART = 32
/** Records planned between two looks at the clock; ids are made this many at a time. */
const CLOCK_EVERY = 64

export interface BulkCreateDeps {
  /** The open vault now (LOCKED if it locked meanwhile: the import stops there). */
  open: () => UnlockedVault
  /** Makes changes durable in one transaction and announces the records. */
  persist: (changes: BucketChange[], changed: ChangedRecord[]) => void
}

/**
 * Where `count` new records go, their ids in order and their groups: a bucket
 * that held nothing takes its records in one group, written whole
 * (merge/bucket-fill.ts); one that held some takes them in parts of
 * EXISTING_BUCKET_PART, since usual changes cost more per record. `check(index)`
 * is run on each record first.
 */
export async function planGroups(vault: UnlockedVault, count: number, check?: (index: number) => void): Promise<{ ids: string[]; groups: FillGroup[] }> {
  const { ids, groups } = await planIds(vault, count, check)
  const held = new Set(vault.doc.bucketNumbers())
  const plan: FillGroup[] = []
  for (const [bucket, indexes] of groups) {
    const parts = held.has(bucket) ? partsOf(indexes, EXISTING_BUCKET_PART) : [indexes]
    for (const part of parts) plan.push({ bucket, indexes: part, ids: part.map((index) => ids[index]), fresh: !held.has(bucket) })
  }
  return { ids, groups: plan }
}

/**
 * Ids for `count` new records in buckets with room, chosen at once (cheap) so an import fills each
 * bucket to its bound, and their positions grouped by bucket; made in slices (50k take a second),
 * `check(index)` run on each first.
 */
async function planIds(vault: UnlockedVault, count: number, check?: (index: number) => void): Promise<{ ids: string[]; groups: Map<number, number[]> }> {
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
function partsOf<T>(items: T[], size: number): T[][] {
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
