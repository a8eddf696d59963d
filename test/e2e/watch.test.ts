import { spawn, type ChildProcess } from "node:child_process"
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest"
import type { EventParams } from "../../src/api/protocol.js"
import { formatEvent, SyncedDetector } from "../../src/cli/watch-command.js"
import { BIN, waitFor } from "./helpers/cli.js"
import { Device } from "./helpers/devices.js"
import { startFirstDevice } from "../helpers/device-start.js"

interface Watcher {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

/** Starts the built `lanvault watch ARGS` on `device` and waits until it has subscribed. */
async function watch(device: Device, args: string[]): Promise<Watcher> {
  const child = spawn(process.execPath, [BIN, "watch", ...args], {
    env: { PATH: process.env.PATH, HOME: device.home, LANVAULT_HOME: device.home },
    stdio: ["ignore", "pipe", "pipe"],
  })
  onTestFinished(() => void child.kill("SIGKILL"))
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk) => (stdout += chunk))
  child.stderr!.on("data", (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  await waitFor(() => stderr.includes("watching") || child.exitCode !== null, "watch to subscribe")
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

function jsonLines(text: string): EventParams[] {
  return text.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as EventParams)
}

describe("lanvault watch (the built CLI, real daemons)", () => {
  it("--json prints a record.changed line when a record is created, and exits 4 when the daemon goes away", async () => {
    const device = await startFirstDevice("alpha")
    const watcher = await watch(device, ["--json"])
    const { id } = await device.client!.call("records.create", { record: { type: "note", title: "watched" } })
    await waitFor(() => jsonLines(watcher.stdout()).some((e) => e.type === "record.changed" && e.id === id), "the record.changed line")
    expect(jsonLines(watcher.stdout())).toContainEqual({ type: "record.changed", id, origin: "local" })
    await device.stop()
    expect(await watcher.exited).toBe(4)
    expect(watcher.stderr()).toMatch(/lanvault: .*daemon/)
  }, 30_000)

  it("prints one readable line per event when stdout is not a terminal, and exits 0 on Ctrl-C", async () => {
    const device = await startFirstDevice("alpha")
    const watcher = await watch(device, [])
    const { id } = await device.client!.call("records.create", { record: { type: "note", title: "watched" } })
    await device.client!.call("lock", {})
    await waitFor(() => watcher.stdout().includes("vault locked"), "the locked line")
    expect(watcher.stdout()).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  record\\.changed +${id.slice(0, 8)}  local$`, "m"))
    expect(watcher.stdout()).toMatch(/locked +vault locked \(request\)/)
    watcher.child.kill("SIGINT")
    expect(await watcher.exited).toBe(0)
  }, 30_000)

  it("--until-synced exits 0 once a new device has received the account's entries", async () => {
    const alpha = await startFirstDevice("alpha")
    for (let i = 0; i < 50; i++) await alpha.client!.call("records.create", { record: { type: "note", title: `note ${i}` } })
    const beta = await Device.create("beta")
    expect((await beta.joinThrough(alpha)).joinResult.code).toBe(0)
    await beta.start()
    const watcher = await watch(beta, ["--until-synced", "--json"])
    expect(await watcher.exited).toBe(0)
    await beta.unlock()
    expect((await beta.titles()).length).toBe(50)
  }, 30_000)
})

describe("watch output", () => {
  afterEach(() => vi.useRealTimers())
  const at = new Date(2026, 0, 2, 3, 4, 5, 67)
  const names = new Map([["a1b2c3d4e5f6", "beta"]])

  it("names the event, a short record id, the origin, the peer and the lock state", () => {
    expect(formatEvent({ type: "record.changed", id: "0123456789abcdef", origin: "remote" }, names, at)).toBe("03:04:05.067  record.changed     01234567  remote")
    expect(formatEvent({ type: "record.changed", id: "0123456789abcdef", origin: "local", deleted: true }, names, at)).toMatch(/local  deleted$/)
    expect(formatEvent({ type: "peer.connected", deviceId: "a1b2c3d4e5f6", address: "192.168.1.20:47110" }, names, at)).toMatch(/peer\.connected +beta \(a1b2c3d4\) at 192\.168\.1\.20:47110$/)
    expect(formatEvent({ type: "peer.disconnected", deviceId: "ffffffff0000", reason: "closed" }, names, at)).toMatch(/peer\.disconnected  ffffffff: closed$/)
    expect(formatEvent({ type: "sync.progress", deviceId: "a1b2c3d4e5f6", done: 5, total: 9 }, names, at)).toMatch(/synced 5\/9 from beta/)
    expect(formatEvent({ type: "sync.progress", deviceId: "a1b2c3d4e5f6", done: 5, total: 9, phase: "serve" }, names, at)).toMatch(/served 5\/9 to beta \(a1b2c3d4\)$/)
    expect(formatEvent({ type: "locked", reason: "idle" }, names, at)).toMatch(/vault locked \(idle\)$/)
    expect(formatEvent({ type: "unlocked", records: 1 }, names, at)).toMatch(/vault unlocked, 1 record$/)
  })

  it("--until-synced waits for quiet after the last progress reached its total", () => {
    vi.useFakeTimers()
    const synced = vi.fn()
    const detector = new SyncedDetector(2_000, synced)
    detector.observe({ type: "sync.progress", deviceId: "d", done: 10, total: 100 })
    vi.advanceTimersByTime(5_000)
    expect(synced).not.toHaveBeenCalled()
    detector.observe({ type: "sync.progress", deviceId: "d", done: 100, total: 100 })
    vi.advanceTimersByTime(1_500)
    detector.observe({ type: "record.changed", id: "r", origin: "remote" })
    vi.advanceTimersByTime(499)
    expect(synced).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(synced).toHaveBeenCalledOnce()
  })

  it("--until-synced waits for what this device receives, not for what it serves a peer", () => {
    vi.useFakeTimers()
    const synced = vi.fn()
    const detector = new SyncedDetector(2_000, synced)
    detector.observe({ type: "sync.progress", deviceId: "d", done: 100, total: 100, phase: "sync" })
    detector.observe({ type: "sync.progress", deviceId: "e", done: 1, total: 500, phase: "serve" })
    vi.advanceTimersByTime(2_000)
    expect(synced).toHaveBeenCalledOnce()
  })

  it("--until-synced counts a peer that connected with nothing to send, unless progress is under way", () => {
    vi.useFakeTimers()
    const synced = vi.fn()
    const detector = new SyncedDetector(2_000, synced)
    detector.observe({ type: "sync.progress", deviceId: "d", done: 1, total: 100 })
    detector.observe({ type: "peer.connected", deviceId: "e", address: "127.0.0.1:1" })
    vi.advanceTimersByTime(3_000)
    expect(synced).not.toHaveBeenCalled()
    detector.observe({ type: "sync.progress", deviceId: "d", done: 100, total: 100 })
    detector.observe({ type: "peer.connected", deviceId: "e", address: "127.0.0.1:1" })
    vi.advanceTimersByTime(2_000)
    expect(synced).toHaveBeenCalledOnce()
  })
})
