/** What the figures were measured on, and memory of a process by pid (Linux /proc). */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os"

const BYTES_PER_MIB = 1024 * 1024
const KIB_PER_MIB = 1024
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in ticks of 10 ms. */
const MS_PER_CLOCK_TICK = 10
/** Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the ")" that ends the command name. */
const UTIME_AFTER_COMM = 11
const STIME_AFTER_COMM = 12

export interface Machine {
  nproc: number
  cpuModel: string
  totalMemoryMiB: number
  node: string
  platform: string
  lanvaultCommit?: string
  /** 1-minute load average when the run started and when it ended: above nproc, other work competed. */
  loadAverage?: { start: number; end: number }
}

export function describeMachine(): Machine {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    totalMemoryMiB: Math.round(totalmem() / BYTES_PER_MIB),
    node: process.version,
    platform: `${process.platform} ${release()}`,
    lanvaultCommit: headCommit(),
  }
}

/** The 1-minute load average. */
export function loadAverage1m(): number {
  return loadavg()[0]
}

/** CPU time (user + system, every thread) `pid` has used so far, in ms (10 ms resolution). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[UTIME_AFTER_COMM]) + Number(fields[STIME_AFTER_COMM])) * MS_PER_CLOCK_TICK
}

/** Resident and peak resident memory of `pid` in MiB, from /proc/<pid>/status. */
export function processMemoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  return { rss: kibField(status, "VmRSS") / KIB_PER_MIB, peak: kibField(status, "VmHWM") / KIB_PER_MIB }
}

function kibField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)
  if (!match) throw new Error(`/proc status has no ${name}`)
  return Number(match[1])
}

/** The checked-out commit (read-only git), when git is there. */
function headCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    return undefined
  }
}
