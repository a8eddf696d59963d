import { onTestFinished } from "vitest"
import { connect, type LanvaultClient } from "../../../src/api/client.js"
import { freePort, runCli, spawnCli, startDaemon, tempHome, waitFor, type DaemonProcess } from "./cli.js"

export const PASSWORD = "correct horse battery"

/** One device: a home, a port, and (when running) its daemon and a client. */
export class Device {
  daemon: DaemonProcess | undefined
  client: LanvaultClient | undefined
  accountKey = ""

  private constructor(readonly name: string, readonly home: string, readonly port: number, private readonly cleanup: () => void) {}

  /**
   * A device with a fresh home and port, destroyed when the test finishes; `registerCleanup`
   * takes the destroy instead for a device that outlives one test (a `beforeAll`'s).
   */
  static async create(name: string, registerCleanup: (destroy: () => Promise<void>) => void = onTestFinished): Promise<Device> {
    const { home, cleanup } = tempHome(`lanvault-${name}-`)
    const device = new Device(name, home, await freePort(), cleanup)
    registerCleanup(() => device.destroy())
    return device
  }

  cli(args: string[], env: Record<string, string> = {}, input?: string) {
    return runCli(args, { home: this.home, env, input })
  }

  async init(): Promise<void> {
    const result = await this.cli(["init", "--name", this.name, "--json"], { LANVAULT_PASSWORD: PASSWORD })
    if (result.code !== 0) throw new Error(result.stderr)
    this.accountKey = JSON.parse(result.stdout).accountKey
  }

  /** Pairs `this` (new) through `host`'s pairing window; returns both codes. `joinEnv`: the join's environment (LANVAULT_OLD_PASSWORD). */
  async joinThrough(host: Device, accountKey = host.accountKey, joinEnv: Record<string, string> = {}): Promise<{ joinCode: string; hostCode: string; joinResult: Awaited<ReturnType<typeof runCli>> }> {
    // The person on the host answers yes to "Does the new device show <code>?" (one stdin line).
    const pair = spawnCli(["pair", "--seconds", "60", "--json"], { home: host.home, input: "y\n" })
    await waitFor(() => pair.output().includes("until"), "the pairing window")
    const joinResult = await this.cli(["join", "--peer", `127.0.0.1:${host.port}`, "--account-key-stdin", "--name", this.name, "--json"], joinEnv, `${accountKey}\n`)
    if (joinResult.code !== 0) {
      pair.child.kill()
      return { joinCode: "", hostCode: "", joinResult }
    }
    await pair.exited
    const lines = pair.output().trim().split("\n")
    this.accountKey = accountKey
    return { joinCode: JSON.parse(joinResult.stdout).code, hostCode: JSON.parse(lines.at(-1)!).code, joinResult }
  }

  async start(args: string[] = [], env?: Record<string, string>): Promise<LanvaultClient> {
    this.daemon = await startDaemon({ home: this.home, args: ["--port", String(this.port), ...args], env })
    this.client = await connect({ socketPath: this.daemon.socketPath })
    return this.client
  }

  async unlock(password = PASSWORD): Promise<void> {
    await this.client!.call("unlock", { password })
  }

  async stop(): Promise<void> {
    this.client?.close()
    this.client = undefined
    await this.daemon?.stop()
    this.daemon = undefined
  }

  async titles(): Promise<string[]> {
    return (await this.client!.call("records.list", {})).map((r) => r.title).sort()
  }

  async destroy(): Promise<void> {
    this.client?.close()
    await this.daemon?.stop("SIGKILL")
    this.cleanup()
  }
}

/** Logins created at once, at most this many calls in flight. */
const CREATE_IN_FLIGHT = 16

/**
 * Creates `count` logins on `device` over its socket (title `PREFIX N`, username `userN`,
 * password `pw-PREFIX-N`), a few calls in flight at a time; returns their ids in order.
 */
export async function createLogins(device: Device, count: number, prefix = "site"): Promise<string[]> {
  const ids: string[] = []
  for (let start = 0; start < count; start += CREATE_IN_FLIGHT) {
    const batch = Array.from({ length: Math.min(CREATE_IN_FLIGHT, count - start) }, (_, i) => device.client!.call("records.create", {
      record: { type: "login", title: `${prefix} ${start + i}`, fields: { username: { value: `user${start + i}`, kind: "text" }, password: { value: `pw-${prefix}-${start + i}`, kind: "secret" } } },
    }))
    for (const { id } of await Promise.all(batch)) ids.push(id)
  }
  return ids
}
