import { createRequire } from "node:module"

/**
 * glibc keeps the memory `free` gave back inside its heap: after an unlock of
 * 10k records about 20 MiB of the daemon's RSS is free malloc memory (SQLite's
 * pages, the session's buffers) that a locked daemon would hold all day.
 * `malloc_trim(0)` hands those pages to the OS. Node has no binding for it, so
 * it is called through koffi (an FFI with prebuilt binaries), loaded only at the
 * first trim; anywhere glibc or koffi is missing (macOS, musl) it does nothing.
 */
type Trim = (pad: number) => number

let trim: Trim | null | undefined

/** Returns free malloc memory to the OS; false where that is not possible here. */
export function trimMalloc(): boolean {
  trim ??= loadTrim()
  if (trim === null) return false
  trim(0)
  return true
}

function loadTrim(): Trim | null {
  if (process.platform !== "linux") return null
  try {
    // A CommonJS package with a native part: required at first use, not at start.
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi")
    return koffi.load("libc.so.6").func("int malloc_trim(size_t pad)") as Trim
  } catch {
    return null
  }
}
