import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { socketPathFor } from "../../api/public.js"
import { connect, type LanvaultClient } from "../../api/client.js"
import type { MethodName, ParamsOf, ResultOf } from "../../api/protocol.js"
import { LanvaultError } from "../../errors.js"
import { CliError } from "../cli-error.js"
import { ArrivalTracker } from "./arrival-tracker.js"
import type { CleanupStack } from "./cleanup-stack.js"
import { freePort } from "./free-port.js"
import { LanvaultChild, type LanvaultChildOptions } from "./lanvault-process.js"

/** Every demo home's name starts with this (then the device name and mkdtemp's suffix). */
export const DEMO_HOME_PREFIX = "lanvault-demo-"
const DAEMON_START_TIMEOUT_MS = 15_000
const SOCKET_POLL_MS = 50
/** Flags every demo daemon gets: never lock by itself, quiet logs, and no multicast (it all stays on this machine). */
const DAEMON_FLAGS = ["--listen", "127.0.0.1", "--auto-lock", "0", "--log-level", "warn", "--no-mdns"]

/**
 * One demo device: a temporary home, a free port, its `lanvault daemon` child
 * and a client subscribed to `record.changed` (timed by {@link arrivals}).
 * Everything it creates is registered with the cleanup stack at once.
 */
export class DemoDevice {
  /** When each record change reached this device. */
  readonly arrivals = new ArrivalTracker()
  /** Set once the device belongs to the account (from `init`/`join`). */
  deviceId = ""
  private daemon: LanvaultChild | undefined
  private client: LanvaultClient | undefined

  private constructor(
    private readonly deps: { cleanup: CleanupStack },
    readonly name: string,
    readonly home: string,
    readonly port: number,
  ) {}

  /** Makes the device's temporary home (removed at cleanup unless `keepHome`) and picks its port. */
  static async create(deps: { cleanup: CleanupStack }, options: { name: string; keepHome: boolean }): Promise<DemoDevice> {
    const home = mkdtempSync(join(tmpdir(), `${DEMO_HOME_PREFIX}${options.name}-`))
    if (!options.keepHome) deps.cleanup.add(() => rmSync(home, { recursive: true, force: true }))
    return new DemoDevice(deps, options.name, home, await freePort())
  }

  /** Where other devices reach this one. */
  get address(): string {
    return `127.0.0.1:${this.port}`
  }

  /** Starts `lanvault ARGS` for this device and leaves it running (stopped at cleanup). */
  spawn(args: string[], options: Omit<LanvaultChildOptions, "home"> = {}): LanvaultChild {
    const child = new LanvaultChild(args, { ...options, home: this.home })
    this.deps.cleanup.add(() => child.stop())
    return child
  }

  /** Runs `lanvault ARGS` for this device to its end and returns its stdout; throws with its message when it fails. */
  async run(args: string[], options: Omit<LanvaultChildOptions, "home"> = {}): Promise<string> {
    const result = await this.spawn(args, options).result()
    if (result.code !== 0) throw this.failure(`\`lanvault ${args[0]}\` failed (exit ${result.code})`, result.stderr)
    return result.stdout
  }

  /** The arguments {@link startDaemon} runs `lanvault` with (for the narration too). */
  daemonArgs(peers: string[] = []): string[] {
    return ["daemon", "--port", String(this.port), ...DAEMON_FLAGS, ...peers.flatMap((peer) => ["--peer", peer])]
  }

  /** Starts this device's daemon (also dialing `peers`), waits for its socket and subscribes to record changes. */
  async startDaemon(peers: string[] = []): Promise<void> {
    const daemon = this.spawn(this.daemonArgs(peers))
    this.daemon = daemon
    const client = await this.connectTo(daemon)
    this.client = client
    this.deps.cleanup.add(() => client.close())
    await client.subscribe(["record.changed"], (event) => {
      if (event.type === "record.changed") this.arrivals.record(event)
    })
  }

  /** Calls the daemon; a daemon that died is reported with what it printed. */
  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.client === undefined) throw new CliError(`${this.name}'s daemon is not running`)
    try {
      return await this.client.call(method, params)
    } catch (error) {
      if (error instanceof LanvaultError && error.code === "DAEMON_NOT_RUNNING" && this.daemon) {
        throw this.failure("the daemon stopped unexpectedly", this.daemon.stderr)
      }
      throw error
    }
  }

  private async connectTo(daemon: LanvaultChild): Promise<LanvaultClient> {
    const socketPath = socketPathFor(this.home, {})
    const deadline = Date.now() + DAEMON_START_TIMEOUT_MS
    for (;;) {
      try {
        return await connect({ socketPath })
      } catch (error) {
        if (!(error instanceof LanvaultError && error.code === "DAEMON_NOT_RUNNING")) throw error
      }
      if (!daemon.running) throw this.failure(`the daemon exited (${daemon.process.exitCode ?? daemon.process.signalCode})`, daemon.stderr)
      if (Date.now() > deadline) throw this.failure(`the daemon did not open its socket within ${DAEMON_START_TIMEOUT_MS / 1000} s`, daemon.stderr)
      await new Promise((resolve) => setTimeout(resolve, SOCKET_POLL_MS))
    }
  }

  private failure(what: string, output: string): CliError {
    const detail = output.trim()
    return new CliError(`${this.name}: ${what}${detail ? `: ${detail}` : ""}`)
  }
}
