import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const MALLOC_TRIM = fileURLToPath(new URL("../../../dist/vault/malloc-trim.js", import.meta.url))

/**
 * In a fresh node: fills ~64 MiB of malloc memory with 64 KiB buffers, frees all
 * but the last (which pins the heap's top, so glibc cannot shrink it by itself),
 * collects, then trims (or not); prints the RSS drop in MiB and what trimMalloc answered.
 */
function rssDropAfterFree(trim: boolean): { dropMiB: number; trimmed: boolean | null } {
  const script = `
    import { readFileSync } from "node:fs"
    import { setFlagsFromString } from "node:v8"
    import { runInNewContext } from "node:vm"
    import { trimMalloc } from ${JSON.stringify(MALLOC_TRIM)}
    setFlagsFromString("--expose-gc")
    const gc = runInNewContext("gc")
    const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024
    let buffers = Array.from({ length: 1024 }, () => Buffer.alloc(64 * 1024, 1))
    const pin = buffers.at(-1)
    const full = rss()
    buffers = undefined
    gc(); gc()
    const trimmed = ${trim} ? trimMalloc() : null
    console.log(JSON.stringify({ dropMiB: full - rss(), trimmed, pinned: pin.length }))`
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }))
}

/**
 * In a fresh node (after fixMallocTrimThreshold when `fix`): a worker thread frees
 * a 30 MiB block (glibc's dynamic trim threshold grows to twice that), then
 * fills 40 MiB in 64 KiB blocks and frees them; after the thread ends and a
 * trim, prints how much of what it grew the process keeps, MiB.
 *
 * The thread calls malloc and free itself (through koffi, as malloc-trim.ts does):
 * with Buffers, V8 frees the 30 MiB block whenever its array-buffer sweeper gets
 * to it, which on a loaded machine came after the small blocks were freed, and
 * glibc then had no raised threshold to keep them by.
 */
function keptAfterThreadFrees(fix: boolean): number {
  const script = `
    import { readFileSync } from "node:fs"
    import { Worker } from "node:worker_threads"
    import { fixMallocTrimThreshold, trimMalloc } from ${JSON.stringify(MALLOC_TRIM)}
    const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024
    if (${fix} && !fixMallocTrimThreshold()) throw new Error("the threshold was not set")
    const before = rss()
    const code = \`
      import { createRequire } from "node:module"
      const koffi = createRequire(${JSON.stringify(MALLOC_TRIM)})("koffi")
      const libc = koffi.load("libc.so.6")
      const malloc = libc.func("void *malloc(size_t size)")
      const free = libc.func("void free(void *ptr)")
      const memset = libc.func("void *memset(void *s, int c, size_t n)")
      const touched = (bytes) => { const block = malloc(bytes); memset(block, 1, bytes); return block }
      free(touched(30 * 1024 * 1024))
      const small = Array.from({ length: 640 }, () => touched(64 * 1024))
      for (const block of small) free(block)\`
    const worker = new Worker(new URL("data:text/javascript," + encodeURIComponent(code)))
    await new Promise((resolve, reject) => { worker.on("exit", resolve); worker.on("error", reject) })
    trimMalloc()
    console.log(rss() - before)`
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }))
}

describe("trimMalloc", () => {
  it.runIf(process.platform === "linux")("hands the memory freed inside malloc's heap back to the OS (glibc keeps it otherwise)", () => {
    const kept = rssDropAfterFree(false)
    const trimmed = rssDropAfterFree(true)
    expect(trimmed.trimmed).toBe(true)
    expect(kept.dropMiB).toBeLessThan(16)
    expect(trimmed.dropMiB).toBeGreaterThan(40)
  }, 30_000)
})

describe("fixMallocTrimThreshold", () => {
  it.runIf(process.platform === "linux")("makes a thread's malloc arena give back the free memory at its top, which malloc_trim leaves", () => {
    // Without it, glibc's threshold has grown past the 40 MiB the thread freed: it keeps them all.
    expect(keptAfterThreadFrees(false)).toBeGreaterThan(30)
    expect(keptAfterThreadFrees(true)).toBeLessThan(12)
  }, 30_000)
})
