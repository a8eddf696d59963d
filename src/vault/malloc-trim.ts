import { createRequire } from "node:module"

/**
 * glibc keeps the memory `free` gave back inside its heap: after an unlock of
 * 10k records about 20 MiB of the daemon's RSS is free malloc memory (SQLite's
 * pages, the session's buffers) that a locked daemon would hold all day.
 * `malloc_trim(0)` hands those pages to the OS. Node has no binding for it, so
 * it is called through koffi (an FFI with prebuilt binaries), loaded only at the
 * first use; anywhere glibc or koffi is missing (macOS, musl) it does nothing.
 */
interface Libc {
  trim: (pad: number) => number
  mallopt: (param: number, value: number) => number
}

/** mallopt's parameter (malloc.h): the free memory at an arena's top above which `free` gives it back. */
const M_TRIM_THRESHOLD = -1
/**
 * glibc's default (128 KiB) grows with the largest block freed, up to 64 MiB, and
 * malloc_trim trims the top of the main arena only: after a 50k import each thread's
 * arena (V8's compiler and GC threads) kept about 5 MiB free at its top, 18 MiB in
 * all, after every trim (measured). Set, the threshold stays: a thread's free at its
 * top gives back what is over it.
 */
const TRIM_THRESHOLD_BYTES = 128 * 1024

let libc: Libc | null | undefined
let thresholdFixed = false

/** Returns free malloc memory to the OS; false where that is not possible here. */
export function trimMalloc(): boolean {
  libc ??= loadLibc()
  if (libc === null) return false
  libc.trim(0)
  return true
}

/**
 * Before long work that allocates much on many threads (an import): keeps glibc's
 * trim threshold at {@link TRIM_THRESHOLD_BYTES} from now on, so the threads' arenas
 * give their free tops back as they go (once per process). False where not possible.
 */
export function fixMallocTrimThreshold(): boolean {
  libc ??= loadLibc()
  if (libc === null) return false
  if (!thresholdFixed) thresholdFixed = libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) === 1
  return thresholdFixed
}

function loadLibc(): Libc | null {
  if (process.platform !== "linux") return null
  try {
    // A CommonJS package with a native part: required at first use, not at start.
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi")
    const lib = koffi.load("libc.so.6")
    return {
      trim: lib.func("int malloc_trim(size_t pad)") as Libc["trim"],
      mallopt: lib.func("int mallopt(int param, int value)") as Libc["mallopt"],
    }
  } catch {
    return null
  }
}
