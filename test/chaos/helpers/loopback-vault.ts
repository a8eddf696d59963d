/**
 * One vault home on this machine with a real `lanvault daemon` that a test can
 * start, `kill -9`, restart and unlock, over the socket API. Listens on
 * 127.0.0.1 only, without mDNS (loopback tests never multicast).
 */
import { mkdirSync, rmSync } from "node:fs"
import { connect, type LanvaultClient } from "../../../src/api/client.js"
import { freePort, runCli, startDaemon, tempHome, type DaemonProcess } from "../../e2e/helpers/cli.js"
import { whileConfirming } from "../../helpers/pairing.js"

export const PASSWORD = "correct horse battery"

export class LoopbackVault {
  daemon: DaemonProcess | undefined
  /** The test's own control connection (load clients open their own). */
  client: LanvaultClient | undefined
  accountKey = ""
  private readonly extraClients = new Set<LanvaultClient>()

  private constructor(readonly name: string, readonly home: string, readonly port: number) {}

  /** A fresh home; `init` it before starting. */
  static async create(name: string): Promise<LoopbackVault> {
    const { home } = tempHome(`lanvault-chaos-${name}-`)
    return new LoopbackVault(name, home, await freePort())
  }

  /** A home at a given path (created 0700), e.g. on a small tmpfs. */
  static async at(name: string, home: string): Promise<LoopbackVault> {
    mkdirSync(home, { recursive: true, mode: 0o700 })
    return new LoopbackVault(name, home, await freePort())
  }

  async init(password = PASSWORD): Promise<void> {
    const result = await runCli(["init", "--name", this.name, "--json"], { home: this.home, env: { LANVAULT_PASSWORD: password } })
    if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`)
    this.accountKey = JSON.parse(result.stdout).accountKey
  }

  /** Joins through `host`'s pairing window (opened and closed over its socket), dialling it on loopback. */
  async joinThrough(host: LoopbackVault): Promise<void> {
    await host.client!.call("pairing.open", { seconds: 60 })
    try {
      const args = ["join", "--peer", `127.0.0.1:${host.port}`, "--account-key-stdin", "--name", this.name, "--json"]
      const { result } = await whileConfirming(host.client!, () => runCli(args, { home: this.home, input: `${host.accountKey}\n`, timeoutMs: 60_000 }))
      if (result.code !== 0) throw new Error(`join of ${this.name} failed: ${result.stderr}`)
    } finally {
      await host.client!.call("pairing.close", {})
    }
    this.accountKey = host.accountKey
  }

  get socketPath(): string {
    return `${this.home}/lanvault.sock`
  }

  /** Starts the daemon and connects the control client. */
  async start(args: string[] = []): Promise<LanvaultClient> {
    this.daemon = await startDaemon({ home: this.home, args: ["--listen", "127.0.0.1", "--port", String(this.port), "--auto-lock", "0", ...args] })
    this.client = await connect({ socketPath: this.daemon.socketPath, timeoutMs: 60_000 })
    return this.client
  }

  /** Another connection to the daemon (closed by `kill`/`stop`). */
  async connectClient(): Promise<LanvaultClient> {
    const client = await connect({ socketPath: this.socketPath, timeoutMs: 60_000 })
    this.extraClients.add(client)
    client.on("close", () => this.extraClients.delete(client))
    return client
  }

  async unlock(password = PASSWORD): Promise<number> {
    return (await this.client!.call("unlock", { password })).records
  }

  /** `kill -9`: no shutdown code runs (no snapshot at lock, no socket removal). */
  async kill(): Promise<void> {
    const daemon = this.daemon
    this.daemon = undefined
    if (daemon) {
      await daemon.stop("SIGKILL")
    }
    this.closeClients()
  }

  /** SIGTERM; resolves to the exit code. */
  async stop(): Promise<number | null | undefined> {
    const daemon = this.daemon
    this.daemon = undefined
    this.closeClients()
    return daemon?.stop("SIGTERM")
  }

  output(): string {
    return this.daemon?.output() ?? ""
  }

  async destroy(): Promise<void> {
    await this.kill()
    rmSync(this.home, { recursive: true, force: true })
  }

  private closeClients(): void {
    this.client?.close()
    this.client = undefined
    for (const client of this.extraClients) client.close()
    this.extraClients.clear()
  }
}
