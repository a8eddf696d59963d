import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { connect } from "node:net"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { BIN } from "./helpers/cli.js"

interface DemoRun {
  code: number | null
  stdout: string
  stderr: string
}

/** A temp dir the demo uses as TMPDIR, so whatever it leaves behind shows up here. */
function demoTmpdir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lv-demo-e2e-"))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Runs the built `node bin/lanvault.js demo ARGS`; `interruptWhen` sends SIGINT once the output matches. */
function runDemo(args: string[], tmp: string, interruptWhen?: RegExp): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "demo", ...args], {
      env: { PATH: process.env.PATH, HOME: tmp, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      if (interruptWhen?.test(stdout) && child.exitCode === null) child.kill("SIGINT")
    })
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Whether something still listens on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })
}

/** The ports of the daemons the demo said it started. */
function daemonPorts(stdout: string): number[] {
  return [...stdout.matchAll(/lanvault daemon --port (\d+)/g)].map((m) => Number(m[1]))
}

/** The lines of step `title` (from its heading to the next step or the end). */
function stepLines(stdout: string, title: RegExp): string[] {
  const lines = stdout.split("\n")
  const start = lines.findIndex((line) => /^\[ *[\d.]+s\] \d+\. /.test(line) && title.test(line))
  expect(start, `a step matching ${title}`).toBeGreaterThanOrEqual(0)
  const end = lines.findIndex((line, i) => i > start && (/^\[ *[\d.]+s\] \d+\. /.test(line) || line === ""))
  return lines.slice(start, end === -1 ? undefined : end)
}

describe("lanvault demo (the built CLI, three real daemons)", () => {
  it("pairs three devices, shows every edit arriving, merges a concurrent edit without loss, and leaves nothing behind", async () => {
    const tmp = demoTmpdir()
    const run = await runDemo([], tmp)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)

    expect(run.stdout.match(/pairing code on \w+ +\d{6}/g)).toHaveLength(4)
    const created = stepLines(run.stdout, /alpha adds a login/).join("\n")
    expect(created).toMatch(/arrived on beta +\d+ ms/)
    expect(created).toMatch(/arrived on gamma +\d+ ms/)
    const edited = stepLines(run.stdout, /beta changes the password/).join("\n")
    expect(edited).toMatch(/arrived on alpha +\d+ ms +password there: "correct-horse-battery-9"/)
    expect(edited).toMatch(/arrived on gamma +\d+ ms +password there: "correct-horse-battery-9"/)

    const conflict = stepLines(run.stdout, /at the same instant/).join("\n")
    const finals = [...conflict.matchAll(/(alpha|beta|gamma) +password "([^"]+)"/g)].map((m) => m[2])
    expect(finals).toHaveLength(3)
    expect(new Set(finals).size).toBe(1)
    const winner = finals[0]
    expect(["alpha-Sunrise-17", "gamma-Moonlight-42"]).toContain(winner)
    const loser = winner === "alpha-Sunrise-17" ? "gamma-Moonlight-42" : "alpha-Sunrise-17"
    const kept = [...conflict.matchAll(/(alpha|beta|gamma) +"([^"]+)" +\((\w+)/g)].map((m) => [m[1], m[2]])
    expect(kept).toEqual([["alpha", loser], ["beta", loser], ["gamma", loser]])

    expect(run.stdout).toMatch(/removed their temporary homes/)
    expect(readdirSync(tmp)).toEqual([])
    expect(daemonPorts(run.stdout)).toHaveLength(3)
    for (const port of daemonPorts(run.stdout)) expect(await listening(port)).toBe(false)
  }, 30_000)

  it("on Ctrl-C stops its daemons, removes its homes and exits 130", async () => {
    const tmp = demoTmpdir()
    const run = await runDemo([], tmp, /beta joins the account/)
    expect(run.code).toBe(130)
    expect(run.stderr).toMatch(/^lanvault: interrupted/)
    expect(readdirSync(tmp)).toEqual([])
    expect(daemonPorts(run.stdout).length).toBeGreaterThanOrEqual(1)
    for (const port of daemonPorts(run.stdout)) expect(await listening(port)).toBe(false)
  }, 30_000)

  it("with --keep leaves the homes, prints where they are, and they hold the synced vault", async () => {
    const tmp = demoTmpdir()
    const run = await runDemo(["--keep"], tmp)
    expect(run.code).toBe(0)
    const homes = [...run.stdout.matchAll(/^ {2}(alpha|beta|gamma) +(\S+)$/gm)].map((m) => m[2])
    expect(homes).toHaveLength(3)
    expect(readdirSync(tmp).map((name) => join(tmp, name)).sort()).toEqual([...homes].sort())
    for (const home of homes) expect(readdirSync(home)).toContain("vault.db")
    for (const port of daemonPorts(run.stdout)) expect(await listening(port)).toBe(false)
  }, 30_000)
})
