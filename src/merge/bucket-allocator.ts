import { LanvaultError } from "../errors.js"
import { BUCKET_FULL_RECORDS, MAX_BUCKET_COUNT, OPEN_BUCKETS } from "./bucket.js"

const RANDOM_GUESSES = 16

/** How an allocator is set up; the defaults are the storage layout's, the rest is for tests. */
export interface BucketAllocatorOptions {
  /** Buckets ids not naming one hash over: the first buckets opened, in order. */
  hashBuckets: number
  fullRecords?: number
  openBuckets?: number
  /** In [0, 1); Math.random by default (a choice, not a secret: any bucket is correct). */
  random?: () => number
}

/**
 * Chooses the buckets of new records (issue 18): a bucket with room, at random
 * among at least `openBuckets` of them, so no bucket grows past about
 * `fullRecords` records; when too few have room, new bucket numbers are
 * opened (first the hashed range, then at random, so two devices filling
 * buckets at once seldom pick the same new ones). The choice is only ever made
 * here, when an id is made: the id names its bucket (newRecordId), so devices
 * never need to agree on it and a record never moves.
 */
export class BucketAllocator {
  private readonly sizes = new Map<number, number>()
  private readonly open = new Set<number>()
  /** Buckets an import is writing elsewhere (reserve): never picked nor opened until released. */
  private readonly reserved = new Set<number>()
  private readonly full: number
  private readonly minOpen: number
  private readonly random: () => number

  constructor(_deps: Record<string, never>, private readonly options: BucketAllocatorOptions) {
    this.full = options.fullRecords ?? BUCKET_FULL_RECORDS
    this.minOpen = options.openBuckets ?? OPEN_BUCKETS
    this.random = options.random ?? Math.random
  }

  /** Tells how many records a bucket holds now (after any change, merge or load). */
  note(bucket: number, size: number): void {
    this.sizes.set(bucket, size)
    if (size < this.full && !this.reserved.has(bucket)) this.open.add(bucket)
    else this.open.delete(bucket)
  }

  /** Whether the bucket exists: a change, merge or load has noted it (a reserved one: something landed there meanwhile). */
  holds(bucket: number): boolean {
    return this.sizes.has(bucket)
  }

  /**
   * Keeps `buckets` for records being written elsewhere (an import's worker
   * writes each new bucket whole): no other new record is placed in one, nor is
   * one opened, until it is released. A local change of its own in such a
   * bucket would be a second first change of this device's actor there.
   */
  reserve(buckets: Iterable<number>): void {
    for (const bucket of buckets) {
      this.reserved.add(bucket)
      this.open.delete(bucket)
    }
  }

  /** Ends the reservation of `buckets`: one written with room left is open again. */
  release(buckets: Iterable<number>): void {
    for (const bucket of buckets) {
      if (!this.reserved.delete(bucket)) continue
      const size = this.sizes.get(bucket)
      if (size !== undefined && size < this.full) this.open.add(bucket)
    }
  }

  /** Buckets for `count` new records, one each, in order (the same bucket may repeat). */
  pick(count: number): number[] {
    const room = [...this.open]
    const planned = new Map<number, number>()
    const opened = new Set<number>()
    while (room.length < this.minOpen) room.push(this.unused(opened))
    const picked: number[] = []
    for (let i = 0; i < count; i++) {
      const index = Math.floor(this.random() * room.length)
      const bucket = room[index]
      picked.push(bucket)
      const size = (this.sizes.get(bucket) ?? 0) + (planned.get(bucket) ?? 0) + 1
      planned.set(bucket, size - (this.sizes.get(bucket) ?? 0))
      if (size >= this.full) {
        room[index] = room[room.length - 1]
        room.pop()
        while (room.length < this.minOpen) room.push(this.unused(opened))
      }
    }
    return picked
  }

  /** A bucket number not in use: the lowest free one of the hashed range, else a random free one. */
  private unused(opened: Set<number>): number {
    const free = (bucket: number) => !this.sizes.has(bucket) && !opened.has(bucket) && !this.reserved.has(bucket)
    let bucket = -1
    for (let b = 0; b < Math.min(this.options.hashBuckets, MAX_BUCKET_COUNT) && bucket < 0; b++) if (free(b)) bucket = b
    // A random guess is almost always free; after a few misses, the next free one after the last guess.
    for (let guess = 0; guess < RANDOM_GUESSES && bucket < 0; guess++) {
      const candidate = Math.floor(this.random() * MAX_BUCKET_COUNT)
      if (free(candidate)) bucket = candidate
    }
    const start = Math.floor(this.random() * MAX_BUCKET_COUNT)
    for (let step = 0; step < MAX_BUCKET_COUNT && bucket < 0; step++) if (free((start + step) % MAX_BUCKET_COUNT)) bucket = (start + step) % MAX_BUCKET_COUNT
    if (bucket < 0) throw new LanvaultError("INTERNAL", "every bucket number is in use")
    opened.add(bucket)
    return bucket
  }
}
