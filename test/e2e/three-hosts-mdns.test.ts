import type { ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connect, type LanvaultClient } from "../../src/api/client.js"
import { createHosts, type TestHost, type TestHosts } from "../hosts/netns.js"
import { BIN, runCli, tempHome, waitFor } from "./helpers/cli.js"
import { whileConfirming } from "../helpers/pairing.js"

const PASSWORD = "correct horse battery"
const PORT = 47110

/** A daemon on one netns host, found by the others with real mDNS only. */
class HostDevice {
  daemon: ChildProcess | undefined
  client: LanvaultClient | undefined
  output = ""
  readonly home: string
  readonly cleanup: () => void

  constructor(readonly host: TestHost) {
    const { home, cleanup } = tempHome(`lanvault-${host.name}-`)
    this.home = home
    this.cleanup = cleanup
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.home, LANVAULT_HOME: this.home, LANVAULT_LOG_LEVEL: "info", ...extra }
  }

  /** Runs the CLI inside this host's namespace (join multicasts, so it must). */
  cli(args: string[], input?: string) {
    return this.host.run([process.execPath, BIN, ...args], { env: this.env(), input, timeoutMs: 60_000 })
  }

  async start(port = PORT): Promise<LanvaultClient> {
    const socket = join(this.home, "lanvault.sock")
    this.output = ""
    this.daemon = this.host.exec([process.execPath, BIN, "daemon", "--port", String(port), "--auto-lock", "0"], { env: this.env() })
    this.daemon.stdout?.on("data", (chunk) => (this.output += chunk))
    this.daemon.stderr?.on("data", (chunk) => (this.output += chunk))
    await waitFor(() => existsSync(socket), `${this.host.name}'s daemon socket`)
    this.client = await waitFor(() => connect({ socketPath: socket }), `${this.host.name}'s daemon`)
    return this.client
  }

  async stop(): Promise<void> {
    this.client?.close()
    this.client = undefined
    const daemon = this.daemon
    this.daemon = undefined
    if (!daemon || daemon.exitCode !== null) return
    const exited = new Promise((resolve) => daemon.once("exit", resolve))
    daemon.kill("SIGTERM")
    await exited
  }

  async titles(): Promise<string[]> {
    return (await this.client!.call("records.list", {})).map((r) => r.title).sort()
  }

  async deviceId(): Promise<string> {
    return (await this.client!.call("status", {})).deviceId
  }
}

describe("three hosts find each other by mDNS alone (network namespaces on a bridge)", () => {
  let hosts: TestHosts
  let devices: HostDevice[]

  beforeAll(async () => {
    hosts = await createHosts(3)
    devices = hosts.hosts.map((host) => new HostDevice(host))
  }, 60_000)

  afterAll(async () => {
    for (const device of devices ?? []) {
      await device.stop()
      device.cleanup()
    }
    await hosts?.cleanup()
  }, 60_000)

  it("joins without an address, converges, finds a restarted daemon again, and refuses a revoked host", async () => {
    const [one, two, three] = devices
    const init = await runCli(["init", "--name", "one", "--json"], { home: one.home, env: { LANVAULT_PASSWORD: PASSWORD } })
    expect(init.code).toBe(0)
    const accountKey = JSON.parse(init.stdout).accountKey as string
    await one.start()
    await one.client!.call("unlock", { password: PASSWORD })
    await one.client!.call("records.create", { record: { type: "note", title: "from one" } })

    for (const [device, name] of [[two, "two"], [three, "three"]] as const) {
      await one.client!.call("pairing.open", { seconds: 60 })
      const { result: joined, code } = await whileConfirming(one.client!, () => device.cli(["join", "--account-key-stdin", "--name", name, "--json"], `${accountKey}\n`))
      expect(joined.code).toBe(0)
      // The new device showed the code the host confirmed, and nothing else on stderr.
      expect(joined.stderr).toMatch(new RegExp(`^The new device's code: ${code}\n[^\n]*confirm it there[^\n]*\n$`))
      expect(JSON.parse(joined.stdout).code).toBe(code)
      await one.client!.call("pairing.close", {})
      await device.start()
      await device.client!.call("unlock", { password: PASSWORD })
    }
    for (const device of [two, three]) await waitFor(async () => (await device.titles()).includes("from one"), `one's record on ${device.host.name}`)

    // two and three joined through one and never learnt each other's address: only mDNS can link them.
    const twoId = await two.deviceId()
    await waitFor(async () => (await three.client!.call("status", {})).peers.some((p) => p.deviceId === twoId && p.state !== "connecting"), "three linked to two")
    await three.client!.call("records.create", { record: { type: "note", title: "from three" } })
    for (const device of [one, two]) await waitFor(async () => (await device.titles()).includes("from three"), `three's record on ${device.host.name}`)

    // two comes back on another port: the address the others remember is stale, so only its new mDNS
    // advert tells them where it is now (two itself may dial them first, at addresses it remembers).
    await two.stop()
    await one.client!.call("records.create", { record: { type: "note", title: "while two was down" } })
    await two.start(PORT + 1)
    await two.client!.call("unlock", { password: PASSWORD })
    await waitFor(async () => (await two.titles()).includes("while two was down"), "two caught up after its restart")
    const twoNow = `${two.host.address}:${PORT + 1}`
    for (const device of [one, three]) {
      await waitFor(async () => (await device.client!.call("status", {})).peers.some((p) => p.address === twoNow && p.how === "mdns"), `${device.host.name} found two's new port by mDNS`)
    }

    const threeId = await three.deviceId()
    await one.client!.call("devices.revoke", { deviceId: threeId })
    await waitFor(async () => (await three.client!.call("status", {})).peers.some((p) => /revoked/.test(p.state)), "three told it is revoked")
    await one.client!.call("records.create", { record: { type: "note", title: "after the revoke" } })
    await waitFor(async () => (await two.titles()).includes("after the revoke"), "two still syncing")
    expect(await three.titles()).not.toContain("after the revoke")
  }, 180_000)
})
