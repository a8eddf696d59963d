/**
 * `--trace`: a passive tcpdump inside host 1's namespace (it sends nothing) that
 * records, with kernel timestamps, every mDNS packet on the test LAN (multicast
 * reaches every host) and every TCP segment to or from host 1's port 47110, so a
 * run's timeline shows when each daemon probed, announced, queried, answered
 * and dialled.
 */
import type { ChildProcess } from "node:child_process"
import type { TestHost } from "../../test/hosts/netns.js"
import { PORT, sleep } from "./host-daemon.js"

export type PacketKind = "mdns-query" | "mdns-probe" | "mdns-response" | "tcp-syn" | "tcp-synack" | "tcp-rst" | "other"

export interface TracedPacket {
  /** Epoch ms (kernel capture time). */
  time: number
  /** Sending host's name (h1, h2…) or its address. */
  from: string
  kind: PacketKind
  summary: string
}

const START_TIMEOUT_MS = 5_000

export class PacketTrace {
  private child: ChildProcess | undefined
  private out = ""
  private closed: Promise<void> = Promise.resolve()

  constructor(private readonly capture: TestHost, private readonly names: ReadonlyMap<string, string>) {}

  /** Starts tcpdump and waits until it is capturing. */
  async start(): Promise<void> {
    const child = this.capture.exec(["tcpdump", "-i", this.capture.iface, "-n", "-tt", "-l", "--immediate-mode", `udp port 5353 or tcp port ${PORT}`], { env: { PATH: process.env.PATH } })
    this.child = child
    // "close", not "exit": the last lines may still be in the pipe when the process has exited.
    this.closed = new Promise<void>((resolve) => child.once("close", () => resolve()))
    let err = ""
    child.stdout?.on("data", (chunk: Buffer) => (this.out += chunk.toString()))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), START_TIMEOUT_MS)
      child.once("error", (error) => {
        clearTimeout(timer)
        reject(new Error(`tcpdump could not run (${error.message}); --trace needs tcpdump`))
      })
      child.stderr?.on("data", (chunk: Buffer) => {
        err += chunk.toString()
        if (/listening on/.test(err)) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once("exit", (code) => {
        clearTimeout(timer)
        reject(new Error(`tcpdump exited with ${code}: ${err}`))
      })
    })
    await sleep(50) // the socket is attached when it says "listening"; a little margin
  }

  /** Stops the capture and returns the packets seen (--immediate-mode: without it, libpcap drops the last ring block at SIGINT). */
  async stop(): Promise<TracedPacket[]> {
    const child = this.child
    this.child = undefined
    if (child) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT")
      const timer = setTimeout(() => child.kill("SIGKILL"), 2_000)
      await this.closed
      clearTimeout(timer)
    }
    return this.out.split("\n").map((line) => this.parse(line)).filter((p): p is TracedPacket => p !== undefined)
  }

  private parse(line: string): TracedPacket | undefined {
    const match = /^(\d+\.\d+) IP6? (\S+?)\.(\d+) > (\S+?)\.(\d+): (.*)$/.exec(line.trim())
    if (!match) return undefined
    const [, stamp, src, , , dstPort, rest] = match
    const from = this.names.get(src) ?? src
    return { time: Number(stamp) * 1000, from, kind: classify(rest, Number(dstPort)), summary: rest.slice(0, 160) }
  }
}

function classify(rest: string, dstPort: number): PacketKind {
  if (/Flags \[S\]/.test(rest)) return "tcp-syn"
  if (/Flags \[S\.\]/.test(rest)) return "tcp-synack"
  if (/Flags \[R/.test(rest)) return "tcp-rst"
  if (dstPort === 5353 || /\b5353\b/.test(rest) || /\?/.test(rest) || /\d+\/\d+\/\d+/.test(rest)) {
    if (/\bANY \(Q[MU]\)\?/.test(rest) || /\[\d+n\]/.test(rest)) return "mdns-probe"
    if (/\?/.test(rest)) return "mdns-query"
    if (/\d+\/\d+\/\d+/.test(rest)) return "mdns-response"
  }
  return "other"
}
