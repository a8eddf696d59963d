import type { ChildProcess } from "node:child_process"
import { hostname, userInfo } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { formatAccountKey } from "../../src/crypto/account-key.js"
import { randomBytes, toHex } from "../../src/crypto/bytes.js"
import { discoveryKeys } from "../../src/discovery/txt-record.js"
import { createHosts, type TestHost, type TestHosts } from "../hosts/netns.js"

const ROOT = join(import.meta.dirname, "../..")
const AGENT = join(ROOT, "test/hosts/mdns-agent.ts")
const EVENT_TIMEOUT_MS = 15_000
/** Long enough for several queries and announcements: what was not reported by then will not be. */
const QUIET_MS = 4_000

const accountId = randomBytes(16)
const accountKey = randomBytes(16)
const ours = discoveryKeys(accountId, accountKey)
const theirs = discoveryKeys(randomBytes(16), randomBytes(16))
const hex = (key?: Uint8Array) => (key === undefined ? undefined : toHex(key))

type AgentEvent = { event: string } & Record<string, unknown>

/** One mdns-agent process in a host, with the JSON lines it printed. */
class Agent {
  /** Every agent started in this file, to check all their adverts at the end. */
  static readonly started: Agent[] = []
  readonly events: AgentEvent[] = []
  instance: string | undefined
  private readonly exited: Promise<void>
  private waiters: Array<() => void> = []
  private stderr = ""

  private constructor(
    readonly host: TestHost,
    private readonly child: ChildProcess,
  ) {
    let buffered = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split("\n")
      buffered = lines.pop()!
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as AgentEvent)
      for (const wake of this.waiters) wake()
    })
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()))
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()))
  }

  static async start(host: TestHost, config: Record<string, unknown>): Promise<Agent> {
    const child = host.exec([process.execPath, "--import", "tsx", AGENT, JSON.stringify({ address: host.address, ...config })], { cwd: ROOT })
    const agent = new Agent(host, child)
    const started = await agent.waitFor((e) => e.event === "started", "the agent to start")
    agent.instance = started.instance as string | undefined
    if (config.mode === "discovery") Agent.started.push(agent)
    return agent
  }

  peers(): AgentEvent[] {
    return this.events.filter((e) => e.event === "peer")
  }

  async waitFor(predicate: (event: AgentEvent) => boolean, what: string, timeoutMs = EVENT_TIMEOUT_MS): Promise<AgentEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(predicate)
      if (found !== undefined) return found
      if (Date.now() > deadline) throw new Error(`${this.host.name} waited ${timeoutMs} ms for ${what}; stderr: ${this.stderr.slice(-2000)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
      this.waiters = []
    }
  }

  /** SIGTERM: the agent stops its discovery (goodbye) and exits. */
  async stop(): Promise<void> {
    this.child.kill("SIGTERM")
    await this.exited
  }

  /** SIGKILL: gone without a goodbye. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL")
    await this.exited
  }
}

describe("mDNS discovery between three network-namespace hosts", { timeout: 60_000 }, () => {
  let net: TestHosts
  let h1: TestHost, h2: TestHost, h3: TestHost
  let sniffer: Agent
  let full: Agent // h1: our account, advertising a= and k= (pairing window open)
  let accountOnly: Agent // h2: our account, a= only
  let stranger: Agent // h3: another account

  beforeAll(async () => {
    net = await createHosts(3)
    ;[h1, h2, h3] = net.hosts
    sniffer = await Agent.start(h3, { mode: "sniff" })
    ;[full, accountOnly, stranger] = await Promise.all([
      Agent.start(h1, { mode: "discovery", port: 47_001, aKey: hex(ours.aKey), kKey: hex(ours.kKey) }),
      // h2 is pinned to its interface (the socket binds 0.0.0.0 but joins and sends on that interface only)
      Agent.start(h2, { mode: "discovery", port: 47_002, aKey: hex(ours.aKey), interface: h2.address }),
      Agent.start(h3, { mode: "discovery", port: 47_003, aKey: hex(theirs.aKey), kKey: hex(theirs.kKey) }),
    ])
  }, 60_000)

  afterAll(async () => {
    await net?.cleanup()
  }, 30_000)

  it("devices of one account find each other by a=, with the host's 10.x address and port", async () => {
    const h1Sees = await full.waitFor((e) => e.event === "peer" && e.id === accountOnly.instance, "h2's advert")
    expect(h1Sees).toMatchObject({ addresses: [h2.address], port: 47_002, match: "account" })
    const h2Sees = await accountOnly.waitFor((e) => e.event === "peer" && e.id === full.instance, "h1's advert")
    expect(h2Sees).toMatchObject({ addresses: [h1.address], port: 47_001, match: "account" })
  })

  it("a device of another account is ignored, and ignores ours", async () => {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS))
    expect(full.peers().map((e) => e.id)).not.toContain(stranger.instance)
    expect(accountOnly.peers().map((e) => e.id)).not.toContain(stranger.instance)
    expect(stranger.peers()).toEqual([])
  })

  it("a joining device that knows only the account key finds the device advertising k=, by pairing", async () => {
    const joiner = await Agent.start(h3, { mode: "discovery", advertise: false, kKey: hex(ours.kKey) })
    const found = await joiner.waitFor((e) => e.event === "peer", "a pairing partner")
    expect(found).toMatchObject({ id: full.instance, addresses: [h1.address], port: 47_001, match: "pairing" })
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS))
    expect(joiner.peers().map((e) => e.id)).toEqual([full.instance])
    await joiner.stop()
  })

  it("a rogue advert with random tags, and a forged one pointing outside the LAN, are never reported", async () => {
    const rogue = await Agent.start(h3, { mode: "rogue", port: 47_666 })
    const forged = await Agent.start(h3, { mode: "forge", aKey: hex(ours.aKey), forgedAddress: "8.8.8.8" })
    // Both are really on the wire…
    for (const instance of [rogue.instance, forged.instance]) {
      await sniffer.waitFor((e) => e.event === "response" && JSON.stringify(e.records).includes(`${instance}._lanvault`), `${instance} on the wire`)
    }
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS))
    // …and nobody reports them.
    for (const agent of [full, accountOnly, stranger]) {
      expect(agent.peers().map((e) => e.id)).not.toContain(rogue.instance)
      expect(agent.peers().map((e) => e.id)).not.toContain(forged.instance)
    }
    await Promise.all([rogue.stop(), forged.stop()])
  })

  it("a stopped device says goodbye (peerGone at once) and is found again, under a new instance, when restarted", async () => {
    const before = accountOnly.instance!
    const stoppedAt = Date.now()
    await accountOnly.stop()
    await full.waitFor((e) => e.event === "peerGone" && e.id === before, "h2's goodbye", 5_000)
    expect(Date.now() - stoppedAt).toBeLessThan(5_000) // far sooner than expiry (35 s at the default interval)
    accountOnly = await Agent.start(h2, { mode: "discovery", port: 47_002, aKey: hex(ours.aKey), interface: h2.address })
    expect(accountOnly.instance).not.toBe(before)
    const again = await full.waitFor((e) => e.event === "peer" && e.id === accountOnly.instance, "h2 again")
    expect(again).toMatchObject({ addresses: [h2.address], port: 47_002, match: "account" })
    await accountOnly.waitFor((e) => e.event === "peer" && e.id === full.instance, "h1 from the restarted h2")
  })

  it("a device that dies without a goodbye is dropped once it stops answering re-queries", async () => {
    const watcher = await Agent.start(h2, { mode: "discovery", advertise: false, aKey: hex(ours.aKey), requeryIntervalMs: 1_000 })
    const victim = await Agent.start(h3, { mode: "discovery", port: 47_004, aKey: hex(ours.aKey) })
    await watcher.waitFor((e) => e.event === "peer" && e.id === victim.instance, "the victim")
    const killedAt = Date.now()
    await victim.kill()
    await watcher.waitFor((e) => e.event === "peerGone" && e.id === victim.instance, "the victim to expire", 10_000)
    expect(Date.now() - killedAt).toBeGreaterThan(1_500) // no goodbye was sent: this was expiry
    await watcher.stop()
  })

  it("a device whose network interfaces change publishes again, with its new IPv4 and IPv6 addresses", async () => {
    const mover = await Agent.start(h3, { mode: "discovery", port: 47_005, aKey: hex(ours.aKey), interfacePollMs: 500 })
    await full.waitFor((e) => e.event === "peer" && e.id === mover.instance, "the mover")
    const extra = h3.address.replace(/\.\d+$/, ".103")
    const ula = "fd6c:7661:756c:7400::103" // unique-local: a LAN address (fc00::/7), carried in AAAA
    for (const [address, prefix] of [[extra, 24], [ula, 64]]) {
      const added = await h3.run(["ip", "addr", "add", `${address}/${prefix}`, "dev", h3.iface, ...(address === ula ? ["nodad"] : [])])
      expect(added.code, added.stderr).toBe(0)
    }
    const moved = await mover.waitFor((e) => e.event === "republished", "the mover to publish again")
    await full.waitFor((e) => e.event === "peerGone" && e.id === mover.instance, "the old advert's goodbye")
    const found = await full.waitFor((e) => e.event === "peer" && e.id === moved.instance, "the new advert")
    expect([...(found.addresses as string[])].sort()).toEqual([h3.address, extra, ula].sort())
    await h3.run(["ip", "addr", "del", `${extra}/24`, "dev", h3.iface])
    await h3.run(["ip", "addr", "del", `${ula}/64`, "dev", h3.iface])
    await mover.stop()
  })

  it("the adverts on the wire name no account, key, host or user, and carry only random names and the host's address", async () => {
    const packets = sniffer.events.filter((e) => e.event === "raw").map((e) => Buffer.from(e.bytes as string, "base64"))
    expect(packets.length).toBeGreaterThan(10)
    const wire = Buffer.concat(packets)
    const secrets = [accountId, accountKey, ours.aKey!, ours.kKey!].flatMap((s) => [
      Buffer.from(s),
      Buffer.from(toHex(s)),
      Buffer.from(Buffer.from(s).toString("base64")),
      Buffer.from(Buffer.from(s).toString("base64url")),
    ])
    secrets.push(Buffer.from(formatAccountKey(accountKey)))
    for (const secret of secrets) expect(wire.includes(secret)).toBe(false)
    for (const name of [hostname(), userInfo().username].filter((n) => n.length > 0 && n.length < 64)) {
      expect(wire.includes(Buffer.concat([Buffer.from([name.length]), Buffer.from(name)]))).toBe(false) // as a DNS label
      if (name.length >= 6) expect(wire.toString("latin1").toLowerCase()).not.toContain(name.toLowerCase())
    }

    const advertisers = Agent.started.filter((a) => a.instance !== undefined)
    const ourInstances = new Set(advertisers.map((a) => a.instance))
    const records = sniffer.events
      .filter((e) => e.event === "response")
      .flatMap((e) => e.records as Array<{ name: string; type: string; ttl: number; data: unknown }>)
    const hostsOf = new Map<string, string>()
    for (const rr of records) {
      const instance = rr.name.split("._lanvault._tcp.local")[0]
      if (rr.type === "SRV" && ourInstances.has(instance)) {
        expect(instance).toMatch(/^[0-9a-f]{16}$/)
        const target = (rr.data as { target: string }).target
        expect(target).toMatch(/^lv-[0-9a-f]{12}\.local$/)
        hostsOf.set(target, instance)
      }
      if (rr.type === "TXT" && ourInstances.has(instance)) {
        expect((rr.data as string[]).map((s) => s.split("=")[0]).sort()).toEqual(["a", "k", "n", "v"])
      }
    }
    expect(hostsOf.size).toBe(advertisers.length)
    const addressOf = new Map(advertisers.map((a) => [a.instance, a.host.address]))
    for (const rr of records) {
      // (goodbyes, TTL 0, are rebuilt by bonjour-service at teardown and may list a newer address)
      if ((rr.type === "A" || rr.type === "AAAA") && rr.ttl > 0 && hostsOf.has(rr.name)) expect(rr.data).toBe(addressOf.get(hostsOf.get(rr.name)))
    }
  })
})
