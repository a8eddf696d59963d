/**
 * Memory that follows the lock (issue 18). The unlocked session's modules and
 * Automerge's wasm are loaded at unlock, never by a locked daemon; each unlock
 * gets a fresh wasm instance, and `lock` lets go of it (a wasm memory never
 * shrinks: dropping the instance is the only way to give it back). After a
 * lock the session's objects are garbage, but V8 keeps the heap pages they used
 * until it next needs memory: a daemon that then sleeps all day would hold them
 * all day. One full collection a moment after the lock hands them back.
 */
import * as v8 from "node:v8"
import { runInNewContext } from "node:vm"
import { wipe } from "../crypto/index.js"
import type { VaultKeys } from "../account/index.js"
import { LONG_WORK_GROWTH_FACTOR, RESTING_GROWTH_FACTOR, setYoungGenerationGrowth } from "../young-generation.js"
import { trimMalloc } from "./malloc-trim.js"
import type { UnlockedVault } from "./unlocked-vault.js"

/** Long enough for the lock's own work (snapshot, events) to finish first. */
const RELEASE_DELAY_MS = 1_000
/**
 * The session's documents hold the wasm instance through their handles and the
 * finalizers of those: one collection is not enough to free it (measured: after
 * a 20k import the instance outlived one, and died with two back to back), and
 * the finalizers run after it. So two now and two this much later; an idle
 * daemon would not collect again on its own.
 */
const SECOND_COLLECTION_MS = 500
/**
 * V8 gives back the young generation's semi-spaces (grown to 32 MiB by a burst
 * such as an import) only in a collection that comes after allocation has been
 * low for about 5 s since the one before (measured, Node 20): one more then.
 */
const YOUNG_GENERATION_RELEASE_MS = 5_500

type AutomergeInstances = Pick<typeof import("../merge/automerge.js"), "renewAutomerge" | "releaseAutomerge" | "isAutomergeReleased">

let automerge: AutomergeInstances | undefined
/** Sessions using the current instance. */
let holders = 0
let collect: (() => void) | undefined
let pending: NodeJS.Timeout | undefined
let youngRelease: NodeJS.Timeout | undefined
let trimAfter = false
/** The start's release is dropped if this says so when it is due (a session began meanwhile); a lock's release never is. */
let skipIf: (() => boolean) | undefined

/** The unlocked session's class, loaded at first use with Automerge (merge/automerge.ts). */
export async function loadUnlockedVault(): Promise<typeof UnlockedVault> {
  const [session, instances] = await Promise.all([import("./unlocked-vault.js"), import("../merge/automerge.js")])
  automerge = instances
  return session.UnlockedVault
}

/**
 * Opens the session with the keys `unwrapping` gives (the password KDF, on the
 * thread pool) and its class, loaded meanwhile: an unlock waits for the slower of
 * the two, not for both one after the other. If the load fails, the keys are wiped.
 */
export async function loadWhileUnwrapping<T>(unwrapping: Promise<VaultKeys>, open: (keys: VaultKeys, opener: typeof UnlockedVault) => Promise<T>): Promise<T> {
  const loading = loadUnlockedVault()
  loading.catch(() => undefined) // awaited below, once the keys are checked
  const keys = await unwrapping
  let opener: typeof UnlockedVault
  try {
    opener = await loading
  } catch (error) {
    wipe(...keys.keys.values())
    throw error
  }
  return open(keys, opener)
}

/**
 * A session starts using Automerge (call once {@link loadUnlockedVault} has
 * resolved): a fresh wasm instance if the last one was let go of. Every hold
 * ends with {@link releaseAfterLock}.
 */
export function holdAutomerge(): void {
  holders += 1
  if (automerge?.isAutomergeReleased()) automerge.renewAutomerge()
}

/**
 * A session ended (a lock, or an unlock that did not finish): once no session
 * holds Automerge, its instance is let go of, and its memory and the session's
 * heap are handed back shortly. One process may hold several sessions (tests).
 */
export function releaseAfterLock(): void {
  holders = Math.max(0, holders - 1)
  if (holders > 0) return
  automerge?.releaseAutomerge()
  releaseHeapSoon({ trimMalloc: true })
}

/**
 * Runs full garbage collections RELEASE_DELAY_MS from now, again a moment later
 * and once more when V8 lets its young generation go (once, however often it is
 * asked meanwhile); with `trimMalloc`, after the second returns
 * malloc's free memory to the OS (malloc-trim.ts: after a session, not at start,
 * where it gains less than loading the FFI costs). With `unless`, the whole
 * release is dropped if it says so when due (a call without it meanwhile, a
 * lock's, keeps it).
 */
export function releaseHeapSoon(options: { trimMalloc?: boolean; unless?: () => boolean } = {}): void {
  trimAfter ||= options.trimMalloc === true
  skipIf = options.unless !== undefined && (pending === undefined || skipIf !== undefined) ? options.unless : undefined
  pending ??= setTimeout(() => {
    if (skipIf?.() === true) {
      // The start's release, when an unlock came first: its collections would land on the unlock's work; the lock's release follows it.
      pending = skipIf = undefined
      return
    }
    skipIf = undefined
    fullCollection()
    pending = setTimeout(() => {
      pending = undefined
      // Locked, the young generation an import let grow goes back now, not 5 s later (an unlocked heap is left to V8).
      if (trimAfter && holders === 0) reducingCollection()
      else fullCollection()
      // What the collections freed is back in malloc's hands: give it to the OS.
      if (trimAfter) trimMalloc()
      trimAfter = false
      youngRelease ??= setTimeout(() => {
        youngRelease = undefined
        fullCollection()
      }, YOUNG_GENERATION_RELEASE_MS).unref()
    }, SECOND_COLLECTION_MS).unref()
  }, RELEASE_DELAY_MS).unref()
}

/**
 * These collections compact the old generation (V8 otherwise moves objects only
 * out of pages it judges fragmented enough): its partly used pages are emptied
 * and handed back, ≈ 2 MiB of a locked daemon's RSS (10k records on disk: 64.4
 * -> 62.3 MiB on a loaded machine). V8 reads the flag at each collection: on for
 * these only, and only while the heap in use is small (a locked daemon's): moving
 * an unlocked 100k vault's heap costs far more than it gives back, and the
 * snapshot policy asks for a release after each snapshot it writes.
 */
const COMPACT_MAX_HEAP_BYTES = 64 * 1024 * 1024
const COMPACT_FLAG = "compact-on-every-full-gc"

function fullCollection(): void {
  if (collect === undefined) {
    // `gc` exists only with --expose-gc; the flag can be set now and the function read from a fresh context.
    v8.setFlagsFromString("--expose-gc")
    collect = runInNewContext("gc") as () => void
  }
  const compact = v8.getHeapStatistics().used_heap_size <= COMPACT_MAX_HEAP_BYTES
  if (compact) v8.setFlagsFromString(`--${COMPACT_FLAG}`)
  try {
    collect()
    collect()
  } finally {
    if (compact) v8.setFlagsFromString(`--no-${COMPACT_FLAG}`)
  }
}

/**
 * Runs `work` (an import's creation of thousands of records) with a young
 * generation that may grow: kept at 1 MiB, a 50k import promoted most of what it
 * made and spent ≈ 1 s more CPU in collections (4.4 s of them against 1.9,
 * loaded machine) and ~25 MiB more at its peak. The lock's release gives it back
 * ({@link reducingCollection}).
 */
export async function withRoomyYoungGeneration<T>(work: () => Promise<T>): Promise<T> {
  setYoungGenerationGrowth(LONG_WORK_GROWTH_FACTOR)
  try {
    return await work()
  } finally {
    setYoungGenerationGrowth(RESTING_GROWTH_FACTOR)
  }
}

/**
 * A collection that reduces memory (V8's "all available garbage": several
 * compacting rounds, and the young generation shrunk to its starting size, which
 * plain collections do only after ~5 s of low allocation). Node 20 reaches it
 * only through `v8.queryObjects` (asked here for a class nothing made); where
 * that is missing, a full collection.
 */
function reducingCollection(): void {
  const query = (v8 as { queryObjects?: (ctor: unknown, options: { format: "count" }) => number }).queryObjects
  if (query === undefined) return fullCollection()
  fullCollection()
  withoutExperimentalWarning(() => query(NothingMade, { format: "count" }))
}

class NothingMade {}

/** Runs `fn` with Node's one-time "experimental feature" warning kept off stderr (the daemon's log). */
function withoutExperimentalWarning(fn: () => void): void {
  const emit = process.emitWarning
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type
    if (type !== "ExperimentalWarning") (emit as (...args: unknown[]) => void).call(process, warning, ...rest)
  }) as typeof process.emitWarning
  try {
    fn()
  } finally {
    process.emitWarning = emit
  }
}
