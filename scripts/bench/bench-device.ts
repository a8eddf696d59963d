/**
 * One device for the bench: a temp home, a port, a real `lanvault daemon`
 * process and a socket client. Like test/e2e/helpers/devices.ts, without vitest
 * (cleanup is the {@link DeviceLab}'s job), and with timing of what it does.
 */
import { performance } from "node:perf_hooks"
import { connect, type LanvaultClient } from "../../src/api/client.js"
import { homePaths } from "../../src/account/index.js"
import { SqliteStore } from "../../src/store/index.js"
import { DAEMON_NODE_FLAGS } from "../../src/cli/service-files.js"
import { freePort, runCli, spawnCli, startDaemon, tempHome, waitFor, type DaemonProcess } from "../../test/e2e/helpers/cli.js"
import { processCpuMs, processMemoryMiB } from "./machine.js"

export const PASSWORD = "correct horse battery"
const PAIRING_WINDOW_S = 60
const CLI_TIMEOUT_MS = 60_000
/** How long a clean shutdown (lock, snapshot, close) may take before the daemon is killed. */
const STOP_TIMEOUT_MS = 10_000

/** Flags every daemon of the bench gets (besides its --port): no multicast, no idle lock mid-run. */
const DAEMON_FLAGS = ["--no-mdns", "--auto-lock", "0"]
/** How a daemon process is started: its Node flags. */
export interface DaemonLaunch {
  nodeArgs: readonly string[]
  /** Says how, in a row's label. */
  label: string
}

/** As `lanvault service install` runs the background daemon: how every daemon of the bench runs unless told. */
export const SERVICE_LAUNCH: DaemonLaunch = {
  nodeArgs: DAEMON_NODE_FLAGS,
  label: `as the service runs it (${DAEMON_NODE_FLAGS.join(" ")})`,
}

/** As a plain `lanvault daemon` in a terminal runs it: no Node flags. */
export const PLAIN_LAUNCH: DaemonLaunch = { nodeArgs: [], label: "as a plain `lanvault daemon` runs it (no Node flags)" }

/** How often the socket is tried while a daemon starts: the start (and join → listed) figures include up to this much waiting. */
const START_POLL_MS = 5

export class BenchDevice {
  daemon: DaemonProcess | undefined
  client: LanvaultClient | undefined
  accountKey = ""

  constructor(readonly name: string, readonly home: string, readonly port: number, private readonly removeHome: () => void, private readonly daemonEnv: Record<string, string>) {}

  static async create(name: string, daemonEnv: Record<string, string>): Promise<BenchDevice> {
    const { home, cleanup } = tempHome(`lanvault-bench-${name}-`)
    return new BenchDevice(name, home, await freePort(), cleanup, daemonEnv)
  }

  /** The connected client; throws when the daemon is not running. */
  get api(): LanvaultClient {
    if (!this.client) throw new Error(`${this.name}: the daemon is not running`)
    return this.client
  }

  get pid(): number {
    const pid = this.daemon?.process.pid
    if (pid === undefined) throw new Error(`${this.name}: the daemon is not running`)
    return pid
  }

  async init(): Promise<void> {
    const result = await runCli(["init", "--name", this.name, "--json"], { home: this.home, env: { LANVAULT_PASSWORD: PASSWORD }, timeoutMs: CLI_TIMEOUT_MS })
    if (result.code !== 0) throw new Error(`${this.name}: init failed: ${result.stderr}`)
    this.accountKey = JSON.parse(result.stdout).accountKey
  }

  /** Pairs this (new) device through `host`'s pairing window, dialling `viaPort` (a relay, or the host's own port). */
  async joinThrough(host: BenchDevice, viaPort = host.port): Promise<void> {
    // "y": the answer to "Does the new device show <code>?" on the host.
    const pair = spawnCli(["pair", "--seconds", String(PAIRING_WINDOW_S), "--json"], { home: host.home, input: "y\n" })
    await waitFor(() => pair.output().includes("until"), "the pairing window")
    const args = ["join", "--peer", `127.0.0.1:${viaPort}`, "--account-key-stdin", "--name", this.name, "--json"]
    const result = await runCli(args, { home: this.home, input: `${host.accountKey}\n`, timeoutMs: CLI_TIMEOUT_MS })
    if (result.code !== 0) {
      pair.child.kill()
      throw new Error(`${this.name}: join failed: ${result.stderr}`)
    }
    await pair.exited
    this.accountKey = host.accountKey
  }

  /**
   * Starts the daemon and connects; resolves with the ms from spawn to the socket
   * answering (START_POLL_MS polling). `env` adds to the lab's daemon environment for this start;
   * `launch`: its Node flags, the service's by default.
   */
  async start(args: string[] = [], env: Record<string, string> = {}, launch: DaemonLaunch = SERVICE_LAUNCH): Promise<number> {
    const started = performance.now()
    const flags = ["--port", String(this.port), ...DAEMON_FLAGS, ...args]
    this.daemon = await startDaemon({ home: this.home, args: flags, env: { ...this.daemonEnv, ...env }, nodeArgs: [...launch.nodeArgs], pollMs: START_POLL_MS })
    const ms = performance.now() - started
    this.client = await connect({ socketPath: this.daemon.socketPath })
    return ms
  }

  /** Unlocks; resolves with the ms the call took. */
  async unlock(): Promise<number> {
    return (await this.unlockMeasured()).ms
  }

  /** Unlocks; resolves with the wall ms the call took and the daemon's CPU ms meanwhile. */
  unlockMeasured(): Promise<Measured> {
    return this.measure(() => this.api.call("unlock", { password: PASSWORD }))
  }

  /** Locks (writing a snapshot when entries are pending); resolves with wall and daemon CPU ms. */
  lock(): Promise<Measured> {
    return this.measure(() => this.api.call("lock", {}))
  }

  /** Runs `work`; resolves with its wall ms and the CPU ms this device's daemon used meanwhile. */
  async measure(work: () => Promise<unknown>): Promise<Measured> {
    const cpuBefore = this.cpuMs()
    const started = performance.now()
    await work()
    const ms = performance.now() - started
    return { ms, cpuMs: this.cpuMs() - cpuBefore }
  }

  /** CPU time the daemon process has used since it started (ms, 10 ms ticks). */
  cpuMs(): number {
    return processCpuMs(this.pid)
  }

  async recordCount(): Promise<number> {
    return (await this.api.call("status", {})).records ?? 0
  }

  /** This device's own head (highest seq of its log). */
  async ownHead(): Promise<number> {
    return (await this.api.call("devices.list", {})).find((d) => d.self)?.seq ?? 0
  }

  /** Highest seq of device `deviceId`'s log that this device holds. */
  async seqOf(deviceId: string): Promise<number> {
    return (await this.api.call("devices.list", {})).find((d) => d.deviceId === deviceId)?.seq ?? 0
  }

  async deviceId(): Promise<string> {
    return (await this.api.call("status", {})).deviceId
  }

  memoryMiB(): { rss: number; peak: number } {
    return processMemoryMiB(this.pid)
  }

  /** SIGTERM: the daemon locks (flushing a snapshot) and exits cleanly (and writes its --cpu-prof profile); killed if it hangs. */
  async stop(): Promise<void> {
    this.client?.close()
    this.client = undefined
    const daemon = this.daemon
    if (!daemon) return
    const timer = setTimeout(() => daemon.process.kill("SIGKILL"), STOP_TIMEOUT_MS)
    await daemon.stop("SIGTERM")
    clearTimeout(timer)
    this.daemon = undefined
  }

  /** SIGKILL: no snapshot, no clean shutdown — a crash or a power cut. */
  async kill(): Promise<void> {
    this.client?.close()
    this.client = undefined
    await this.daemon?.stop("SIGKILL")
    this.daemon = undefined
  }

  /** Deletes the snapshot rows (daemon stopped): the next unlock replays the whole log. */
  dropSnapshots(): void {
    if (this.daemon) throw new Error(`${this.name}: stop the daemon before touching its database`)
    const store = SqliteStore.open(homePaths(this.home).database)
    try {
      store.clearSnapshots()
    } finally {
      store.close()
    }
  }

  async destroy(): Promise<void> {
    await this.stop()
    this.removeHome()
  }
}

/** Wall time of some work and the daemon's CPU time during it, both ms. */
export interface Measured {
  ms: number
  cpuMs: number
}
