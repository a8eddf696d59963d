/**
 * Work over every record done in slices of about SLICE_MS, with a turn of the
 * event loop between them, so the daemon answers its socket and its peers while
 * an import or export gathers records (issue 18: never deaf).
 */
import { performance } from "node:perf_hooks"
import { setImmediate as nextTurn } from "node:timers/promises"

/** How long one slice may hold the event loop. */
export const SLICE_MS = 25
/** Items mapped between two looks at the clock. */
const CLOCK_EVERY = 32

/** `items.map(map)`, yielding to the event loop whenever a slice has run SLICE_MS. */
export async function mapInSlices<T, U>(items: readonly T[], map: (item: T) => U): Promise<U[]> {
  const out: U[] = []
  let sliceStart = performance.now()
  for (let i = 0; i < items.length; i++) {
    out.push(map(items[i]))
    if (i % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn()
      sliceStart = performance.now()
    }
  }
  return out
}
