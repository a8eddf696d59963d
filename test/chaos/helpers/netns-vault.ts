/**
 * A lanvault daemon on one netns test host (test/hosts/netns.ts), found by the
 * others with real mDNS: join through a pairing window, start, SIGTERM or
 * `kill -9`, restart, lock and unlock, over the socket API.
 */
import type { ChildProcess } from "node:child_process"
import { existsSync, rmSync } from "node:fs"
import { join } from "node:path"
import { connect, type LanvaultClient } from "../../../src/api/client.js"
import type { TestHost } from "../../hosts/netns.js"
import { BIN, runCli, tempHome, waitFor } from "../../e2e/helpers/cli.js"
import { whileConfirming } from "../../helpers/pairing.js"
import { PASSWORD } from "./loopback-vault.js"

export const PORT = 47110

export class NetnsVault {
  daemon: ChildProcess | undefined
  client: LanvaultClient | undefined
  readonly home: string
  accountKey = ""
  deviceId = ""
  /** Output of the current daemon (reset at each start). */
  output = ""
  locked = true

  constructor(readonly host: TestHost, readonly name: string) {
    this.home = tempHome(`lanvault-chaos-${host.name}-`).home
  }

  get running(): boolean {
    return this.daemon !== undefined
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.home, LANVAULT_HOME: this.home, LANVAULT_LOG_LEVEL: process.env.LANVAULT_CHAOS_LOG_LEVEL ?? "warn", ...extra }
  }

  /** Runs the CLI inside this host's namespace. */
  cli(args: string[], input?: string, extraEnv: Record<string, string> = {}) {
    return this.host.run([process.execPath, BIN, ...args], { env: this.env(extraEnv), input, timeoutMs: 60_000 })
  }

  async init(): Promise<void> {
    const result = await runCli(["init", "--name", this.name, "--json"], { home: this.home, env: { LANVAULT_PASSWORD: PASSWORD } })
    if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`)
    this.accountKey = JSON.parse(result.stdout).accountKey
  }

  /** Joins through `host`'s pairing window, by mDNS alone (no address given). */
  async joinThrough(host: NetnsVault): Promise<void> {
    await host.client!.call("pairing.open", { seconds: 60 })
    try {
      const { result: joined } = await whileConfirming(host.client!, () => this.cli(["join", "--account-key-stdin", "--name", this.name, "--json"], `${host.accountKey}\n`))
      if (joined.code !== 0) throw new Error(`join of ${this.name} failed: ${joined.stderr}`)
    } finally {
      await host.client!.call("pairing.close", {})
    }
    this.accountKey = host.accountKey
  }

  async start(): Promise<LanvaultClient> {
    const socket = join(this.home, "lanvault.sock")
    this.output = ""
    const daemon = this.host.exec([process.execPath, BIN, "daemon", "--port", String(PORT), "--auto-lock", "0"], { env: this.env() })
    this.daemon = daemon
    daemon.stdout?.on("data", (chunk) => (this.output += chunk))
    daemon.stderr?.on("data", (chunk) => (this.output += chunk))
    await waitFor(() => daemon.exitCode !== null || existsSync(socket), `${this.name}'s daemon socket`, 30_000)
    if (daemon.exitCode !== null) throw new Error(`${this.name}'s daemon exited with ${daemon.exitCode}: ${this.output}`)
    this.client = await waitFor(() => connect({ socketPath: socket, timeoutMs: 60_000 }), `${this.name}'s daemon`, 30_000)
    this.locked = true
    this.deviceId = (await this.client.call("status", {})).deviceId
    return this.client
  }

  async unlock(): Promise<void> {
    await this.client!.call("unlock", { password: PASSWORD })
    this.locked = false
  }

  async lock(): Promise<void> {
    await this.client!.call("lock", {})
    this.locked = true
  }

  /** SIGTERM (a clean stop) or SIGKILL (a crash). */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    this.client?.close()
    this.client = undefined
    const daemon = this.daemon
    this.daemon = undefined
    this.locked = true
    if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return
    const exited = new Promise((resolve) => daemon.once("exit", resolve))
    daemon.kill(signal)
    await exited
  }

  destroy(): void {
    rmSync(this.home, { recursive: true, force: true })
  }
}
