import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { MAX_IMPORT_BYTES, readRegularFile, writePrivateFile } from "../../../src/import/transfer-files.js"

// Generous: the point is "at once, without reading", not a benchmark on a busy machine.
/**
 * "At once" (issue 18: a clear error within 100 ms): the refusal costs this
 * process under 100 ms of CPU, and its wall time stays far below what reading
 * would take (a FIFO with no writer blocks for ever, /dev/zero never ends). Wall
 * time alone is not held to 100 ms: other processes' turns on a busy machine
 * count in it, not this code's work.
 */
const AT_ONCE_CPU_MS = 100
const AT_ONCE_WALL_MS = 2_000

/** Runs `work`, then checks it took "at once" (see AT_ONCE_CPU_MS). */
async function atOnce<T>(work: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const result = await work()
  const used = process.cpuUsage(cpu)
  expect((used.user + used.system) / 1_000).toBeLessThan(AT_ONCE_CPU_MS)
  expect(performance.now() - started).toBeLessThan(AT_ONCE_WALL_MS)
  return result
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lanvault-transfer-"))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function failure(promise: Promise<unknown>): Promise<LanvaultError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof LanvaultError) return error
    throw error
  }
  throw new Error("expected a LanvaultError")
}

describe("readRegularFile", () => {
  it("refuses a FIFO, /dev/zero and a directory at once, before reading", async () => {
    const fifo = join(dir, "pipe")
    execFileSync("mkfifo", [fifo])
    for (const path of [fifo, "/dev/zero", dir]) {
      const error = await atOnce(() => failure(readRegularFile(path, "import file")))
      expect({ path, code: error.code }).toEqual({ path, code: "NOT_A_FILE" })
    }
  })

  it("refuses a file over 256 MiB at once, naming the limit", async () => {
    const big = join(dir, "big.csv")
    writeFileSync(big, "")
    truncateSync(big, MAX_IMPORT_BYTES + 1) // sparse: nothing is written
    const error = await atOnce(() => failure(readRegularFile(big, "import file")))
    expect(error).toMatchObject({ code: "FILE_TOO_LARGE", data: { limit: 256 * 1024 * 1024 } })
    expect(error.message).toMatch(/256 MiB/)
  })

  it("reads a regular file, and says when there is none", async () => {
    writeFileSync(join(dir, "a.csv"), "x,y\n")
    expect(new TextDecoder().decode(await readRegularFile(join(dir, "a.csv"), "import file"))).toBe("x,y\n")
    expect((await failure(readRegularFile(join(dir, "none.csv"), "import file"))).code).toBe("IMPORT_FAILED")
    expect((await failure(readRegularFile("relative.csv", "import file"))).code).toBe("INVALID_PARAMS")
  })
})

describe("writePrivateFile", () => {
  it("writes a new regular file with mode 0600, replacing an old one atomically and leaving no temporary file", async () => {
    const path = join(dir, "out.json")
    writeFileSync(path, "old", { mode: 0o644 })
    await writePrivateFile(path, "new content")
    expect(readFileSync(path, "utf8")).toBe("new content")
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(["out.json"])
  })

  it("refuses /dev/full, a FIFO, a directory and a symlink, leaving each as it was", async () => {
    const fifo = join(dir, "pipe")
    execFileSync("mkfifo", [fifo])
    const link = join(dir, "link")
    writeFileSync(join(dir, "target"), "keep")
    symlinkSync(join(dir, "target"), link)
    const devFull = statSync("/dev/full")
    for (const path of ["/dev/full", fifo, dir, link]) {
      const error = await failure(writePrivateFile(path, "secret"))
      expect({ path, code: error.code }).toEqual({ path, code: "NOT_A_FILE" })
    }
    expect(statSync("/dev/full").isCharacterDevice()).toBe(true)
    expect(statSync("/dev/full").rdev).toBe(devFull.rdev)
    expect(statSync(fifo).isFIFO()).toBe(true)
    expect(readFileSync(join(dir, "target"), "utf8")).toBe("keep")
  })

  it("reports a full disk (ENOSPC) and leaves nothing behind", async () => {
    const small = join(dir, "small")
    execFileSync("mkdir", [small])
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", small], { stdio: "pipe" })
    } catch (error) {
      throw new Error(`this test mounts a 16 KiB tmpfs to fill a disk, which needs root (CI runs as root): ${String(error)}`)
    }
    try {
      const error = await failure(writePrivateFile(join(small, "out.json"), "x".repeat(256 * 1024)))
      expect(error).toMatchObject({ code: "EXPORT_FAILED", data: { errno: "ENOSPC" } })
      expect(error.message).toMatch(/disk is full/)
      expect(readdirSync(small)).toEqual([])
    } finally {
      execFileSync("umount", [small])
    }
  })

  it("reports a write error (no such directory) and leaves nothing behind", async () => {
    const error = await failure(writePrivateFile(join(dir, "missing", "out.json"), "secret"))
    expect(error).toMatchObject({ code: "EXPORT_FAILED", data: { errno: "ENOENT" } })
    expect(readdirSync(dir)).toEqual([])
  })
})
