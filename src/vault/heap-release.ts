/**
 * After a lock the unlocked session's objects are garbage, but V8 keeps the
 * heap pages they used until it next needs memory: a daemon that then sleeps
 * all day would hold them all day. One full collection a moment after the lock
 * hands them back (issue 18: `lock` gives the memory back).
 */
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

/** Long enough for the lock's own work (snapshot, events) to finish first. */
const RELEASE_DELAY_MS = 1_000

let collect: (() => void) | undefined
let pending: NodeJS.Timeout | undefined

/** Runs one full garbage collection RELEASE_DELAY_MS from now (once, however often it is asked meanwhile). */
export function releaseHeapSoon(): void {
  pending ??= setTimeout(() => {
    pending = undefined
    fullCollection()
  }, RELEASE_DELAY_MS).unref()
}

function fullCollection(): void {
  if (collect === undefined) {
    // `gc` exists only with --expose-gc; the flag can be set now and the function read from a fresh context.
    setFlagsFromString("--expose-gc")
    collect = runInNewContext("gc") as () => void
  }
  collect()
}
