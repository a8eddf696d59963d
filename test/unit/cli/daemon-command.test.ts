import { join } from "node:path"
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { runCli, tempDir } from "./helpers.js"

// The real daemon is exercised by the e2e suite; here only the argument parsing matters.
const runDaemon = vi.hoisted(() => vi.fn(async (_options: Record<string, unknown>) => {}))
vi.mock("../../../src/daemon/run-daemon.js", () => ({ runDaemon }))

describe("lanvault daemon", () => {
  const { dir: home, cleanup } = tempDir()
  afterAll(cleanup)
  beforeEach(() => {
    runDaemon.mockReset()
    runDaemon.mockImplementation(async () => {})
  })

  it("passes home, socket and every option to runDaemon, and exits 0 when it returns", async () => {
    const args = ["daemon", "--port", "7420", "--peer", "10.0.0.2:7420", "--peer", "[fe80::1]:7421", "--no-mdns", "--auto-lock", "5", "--log-level", "warn"]
    const result = await runCli(args, { home })
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" })
    expect(runDaemon).toHaveBeenCalledWith({
      home,
      socketPath: join(home, "lanvault.sock"),
      port: 7420,
      peers: ["10.0.0.2:7420", "[fe80::1]:7421"],
      mdns: false,
      autoLockMinutes: 5,
      logLevel: "warn",
    })
  })

  it("defaults: mDNS on, nothing else set; --home and LANVAULT_SOCKET respected", async () => {
    const other = join(home, "other")
    await runCli(["--home", other, "daemon"], { home, env: { LANVAULT_SOCKET: join(home, "s.sock") } })
    expect(runDaemon).toHaveBeenCalledWith({ home: other, socketPath: join(home, "s.sock"), port: undefined, peers: undefined, mdns: true, autoLockMinutes: undefined, logLevel: undefined })
  })

  it("refuses malformed options with exit 2 without starting", async () => {
    for (const args of [["--peer", "nohost"], ["--peer", "h:99999"], ["--port", "-1"], ["--auto-lock", "soon"], ["--log-level", "loud"]]) {
      const result = await runCli(["daemon", ...args], { home })
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
    }
    expect(runDaemon).not.toHaveBeenCalled()
  })

  it("reports runDaemon's typed errors with their exit codes", async () => {
    runDaemon.mockRejectedValue(new LanvaultError("ALREADY_RUNNING", "a daemon is already running for this home"))
    const result = await runCli(["daemon"], { home })
    expect(result).toEqual({ code: 1, stdout: "", stderr: "lanvault: a daemon is already running for this home\n" })
  })
})
