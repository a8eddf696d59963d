import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Writable } from "node:stream"
import { afterEach, describe, expect, it, vi } from "vitest"
import { CliError } from "../../../src/cli/cli-error.js"
import { runDemo } from "../../../src/cli/demo/index.js"
import { EXIT_INTERRUPTED } from "../../../src/cli/demo/run-demo.js"
import { runCli, tempDir } from "./helpers.js"

describe("lanvault demo", () => {
  afterEach(() => vi.unstubAllEnvs())

  it("is listed in the help with --keep", async () => {
    const { dir: home, cleanup } = tempDir()
    try {
      expect((await runCli(["--help"], { home })).stdout).toMatch(/demo/)
      const help = await runCli(["demo", "--help"], { home })
      expect(help.code).toBe(0)
      expect(help.stdout).toContain("--keep")
    } finally {
      cleanup()
    }
  })

  it("stops at once when interrupted, with exit 130 and no temporary home left behind", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "lv-demo-unit-"))
    vi.stubEnv("TMPDIR", tmp)
    try {
      const controller = new AbortController()
      controller.abort()
      let printed = ""
      const out = new Writable({ write: (chunk, _encoding, callback) => ((printed += String(chunk)), callback()) })
      const failure = await runDemo(out, { keep: false, signal: controller.signal }).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CliError)
      expect((failure as CliError).exitCode).toBe(EXIT_INTERRUPTED)
      expect(printed).toMatch(/three devices/)
      expect(readdirSync(tmp)).toEqual([])
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  }, 15_000)
})
