import { PassThrough, Writable } from "node:stream"
import type { Command } from "commander"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CliContext } from "../../../src/cli/context.js"
import { buildProgram } from "../../../src/cli/main.js"
import { LanvaultError } from "../../../src/errors.js"
import { runCli, startFakeDaemon, tempDir, type FakeDaemon } from "./helpers.js"

/** Every command path, e.g. ["service", "install"]. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])])
}

function programForListing(): Command {
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() })
  return buildProgram(new CliContext({ stdin: new PassThrough(), stdout: sink, stderr: sink, env: {} }))
}

describe("cli exit codes without a daemon", () => {
  const { dir: home, cleanup } = tempDir()
  afterAll(cleanup)

  it("exits 4 when no daemon listens, with a hint to start one", async () => {
    for (const args of [["status"], ["list"], ["unlock"], ["lock"]]) {
      const result = await runCli(args, { home, env: { LANVAULT_PASSWORD: "whatever-pw" } })
      expect(result.code).toBe(4)
      expect(result.stderr).toMatch(/^lanvault: /)
      expect(result.stderr).toContain("lanvault daemon")
      expect(result.stderr).toContain("lanvault service install")
      expect(result.stderr).not.toContain("whatever-pw")
    }
  })

  it("prints help and exits 0 for the program and every command", async () => {
    const paths = commandPaths(programForListing()).filter((path) => path.at(-1) !== "help")
    expect(paths).toContainEqual(["service", "install"])
    expect(paths.length).toBeGreaterThanOrEqual(20)
    for (const path of [[], ...paths]) {
      const result = await runCli([...path, "--help"], { home })
      expect({ path, code: result.code }).toEqual({ path, code: 0 })
      expect(result.stdout).toMatch(/^Usage: lanvault/)
    }
  })

  it("prints the version with exit 0", async () => {
    const result = await runCli(["--version"], { home })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/)
  })

  it("exits 2 on usage errors (unknown command, unknown option, missing option, bad number), naming the command", async () => {
    const cases: Array<[string[], string]> = [
      [["frobnicate"], "lanvault"],
      [["list", "--frob"], "lanvault list"],
      [["add", "--title", "x"], "lanvault add"],
      [["pair", "--seconds", "soon"], "lanvault pair"],
      [["import", "f", "--format", "word"], "lanvault import"],
      [["folder", "add"], "lanvault folder add"],
      [["generate", "--words", "5", "--length", "9"], "lanvault generate"],
    ]
    for (const [args, command] of cases) {
      const result = await runCli(args, { home })
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr.startsWith(`${command}: `)).toBe(true)
      expect(result.stderr).toContain(`(see \`${command} --help\`)`)
    }
  })

  it("refuses secrets given as options before doing anything, saying what to use instead", async () => {
    for (const args of [["unlock", "--password", "hunter22"], ["init", "--password=hunter22"], ["join", "--account-key", "LV1-X"], ["add", "--secret", "x"]]) {
      const result = await runCli(args, { home })
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toContain("never goes on the command line")
      expect(result.stderr).not.toContain("hunter22")
    }
  })
})

describe("cli exit codes with a daemon", () => {
  const { dir: home, cleanup } = tempDir()
  let daemon: FakeDaemon

  beforeAll(async () => {
    daemon = await startFakeDaemon(home, {
      "records.list": () => {
        throw new LanvaultError("LOCKED", "the vault is locked: run `lanvault unlock` first")
      },
      "records.find": () => {
        throw new LanvaultError("NOT_FOUND", "record 0123 not found")
      },
    })
  })
  afterAll(async () => {
    await daemon.close()
    cleanup()
  })

  it("exits 3 when the daemon says the vault is locked", async () => {
    const result = await runCli(["list"], { home })
    expect(result.code).toBe(3)
    expect(result.stderr).toBe("lanvault: the vault is locked: run `lanvault unlock` first\n")
  })

  it("exits 1 with the daemon's message (and no stack) for other errors", async () => {
    daemon.handlers["records.list"] = () => []
    const result = await runCli(["get", "0123"], { home })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe("lanvault: record 0123 not found\n")
  })

  it("says so when the daemon does not know a method", async () => {
    const result = await runCli(["devices"], { home })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^lanvault: unknown method "devices.list"/)
  })
})
