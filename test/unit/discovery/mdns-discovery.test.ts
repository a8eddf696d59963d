import fc from "fast-check"
import type { NetworkInterfaceInfo } from "node:os"
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest"
import { randomBytes } from "../../../src/crypto/bytes.js"
import { MdnsDiscovery, type MdnsDiscoveryOptions } from "../../../src/discovery/mdns-discovery.js"
import type { DiscoveredPeer } from "../../../src/discovery/peer-table.js"
import { discoveryKeys, encodeAdvertTxt, type DiscoveryKeys } from "../../../src/discovery/txt-record.js"
import { silentLogger } from "../../../src/log.js"
import { FakeMdnsNetwork, recordsOf } from "./fake-mdns.js"

const account = discoveryKeys(randomBytes(16), randomBytes(16))
const stranger = discoveryKeys(randomBytes(16), randomBytes(16))
const isLan = (ip: string) => ip.startsWith("10.")

interface Node {
  discovery: MdnsDiscovery
  found: DiscoveredPeer[]
  gone: string[]
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>
}

let network: FakeMdnsNetwork

beforeEach(() => {
  vi.useFakeTimers()
  network = new FakeMdnsNetwork()
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

async function node(address: string, keys: DiscoveryKeys, options: Partial<MdnsDiscoveryOptions> = {}): Promise<Node> {
  const interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = { eth0: [iface(address)] }
  const discovery = new MdnsDiscovery(
    { logger: silentLogger(), stack: network.factory(address), listInterfaces: () => interfaces },
    { port: 47110, keys, advertise: true, isAllowedAddress: isLan, ...options },
  )
  const result: Node = { discovery, found: [], gone: [], interfaces }
  discovery.on("peer", (peer) => result.found.push(peer))
  discovery.on("peerGone", ({ id }) => result.gone.push(id))
  await discovery.start()
  onTestFinished(() => discovery.stop())
  return result
}

function iface(address: string): NetworkInterfaceInfo {
  return { address, netmask: "255.255.255.0", family: "IPv4", mac: "02:00:00:00:00:01", internal: false, cidr: `${address}/24` }
}

describe("MdnsDiscovery", () => {
  it("devices of one account find each other with their address and port, and never themselves", async () => {
    const a = await node("10.0.0.1", { aKey: account.aKey }, { port: 1111 })
    const b = await node("10.0.0.2", { aKey: account.aKey }, { port: 2222 })
    await vi.advanceTimersByTimeAsync(0)
    expect(a.found).toEqual([{ id: b.discovery.advertInstance, addresses: ["10.0.0.2"], port: 2222, match: "account" }])
    expect(b.found.map((p) => [p.id, p.addresses, p.port, p.match])).toEqual([[a.discovery.advertInstance, ["10.0.0.1"], 1111, "account"]])
    expect(a.discovery.peers()).toHaveLength(1)
  })

  it("a joining device that knows only the account key finds pairing partners, and says both when it knows both keys", async () => {
    const host = await node("10.0.0.1", account)
    const joiner = await node("10.0.0.2", { kKey: account.kKey }, { advertise: false })
    const full = await node("10.0.0.3", account, { advertise: false })
    await vi.advanceTimersByTimeAsync(0)
    expect(joiner.found.map((p) => [p.id, p.match])).toEqual([[host.discovery.advertInstance, "pairing"]])
    expect(full.found.map((p) => p.match)).toEqual(["both"])
    expect(joiner.discovery.advertInstance).toBeUndefined()
    expect(host.found).toEqual([])
  })

  it("ignores another account's devices and a stranger's advert with random tags", async () => {
    const a = await node("10.0.0.1", account)
    await node("10.0.0.2", stranger)
    const rogue = { instance: "0123456789abcdef", host: "rogue.local", port: 1, txt: encodeAdvertTxt({}), advertiseAddress: () => true }
    network.inject({ answers: recordsOf(rogue, "10.0.0.66", 120) }, "10.0.0.66")
    await vi.advanceTimersByTimeAsync(20_000)
    expect(a.found).toEqual([])
    expect(a.discovery.peers()).toEqual([])
  })

  it("never reports an advert that points at a non-LAN address", async () => {
    const a = await node("10.0.0.1", account)
    const forged = { instance: "feedfacefeedface", host: "lv-x.local", port: 47110, txt: encodeAdvertTxt(account), advertiseAddress: () => true }
    network.inject({ answers: recordsOf(forged, "93.184.216.34", 120) }, "10.0.0.66")
    await vi.advanceTimersByTimeAsync(0)
    expect(a.found).toEqual([])
  })

  it("a stopped device says goodbye (peerGone at once), and is found again under a new instance when it restarts", async () => {
    const a = await node("10.0.0.1", account)
    const b = await node("10.0.0.2", account)
    await vi.advanceTimersByTimeAsync(0)
    const first = b.discovery.advertInstance!
    await b.discovery.stop()
    expect(a.gone).toEqual([first])
    await b.discovery.start()
    await vi.advanceTimersByTimeAsync(0)
    const second = b.discovery.advertInstance!
    expect(second).not.toBe(first)
    expect(a.found.map((p) => p.id)).toEqual([first, second])
  })

  it("a device that vanishes without a goodbye is gone after it misses about 3.5 re-queries", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5) // no jitter: queries at 0, 1, 3, 7, 15, 25, 35… s
    const a = await node("10.0.0.1", account, { requeryIntervalMs: 10_000 })
    await node("10.0.0.2", account)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(a.gone).toEqual([])
    ;[...network.stacks].find((s) => s.address === "10.0.0.2")!.vanish()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(a.gone).toEqual([])
    await vi.advanceTimersByTimeAsync(10_000)
    expect(a.gone).toHaveLength(1)
  })

  it("re-queries after 1 s, 2 s, 4 s… then every requeryIntervalMs, jittered", async () => {
    await node("10.0.0.1", account, { requeryIntervalMs: 10_000 })
    expect(network.queries).toBe(1)
    await vi.advanceTimersByTimeAsync(1_250)
    expect(network.queries).toBe(2)
    await vi.advanceTimersByTimeAsync(2_500 + 5_000)
    expect(network.queries).toBe(4)
    await vi.advanceTimersByTimeAsync(100_000)
    expect(network.queries).toBeGreaterThanOrEqual(4 + 8)
    expect(network.queries).toBeLessThanOrEqual(4 + 13)
  })

  it("publishes again under new names and re-queries when the network interfaces change", async () => {
    const a = await node("10.0.0.1", account)
    const b = await node("10.0.0.2", account, { interfacePollMs: 1_000 })
    await vi.advanceTimersByTimeAsync(0)
    const before = b.discovery.advertInstance
    const queries = network.queries
    b.interfaces.wlan0 = [iface("10.0.0.3")]
    await vi.advanceTimersByTimeAsync(1_100)
    expect(b.discovery.advertInstance).not.toBe(before)
    expect(a.gone).toEqual([before])
    expect(a.found.at(-1)!.id).toBe(b.discovery.advertInstance)
    expect(network.queries).toBeGreaterThan(queries)
  })

  it("setKeys forgets peers found with the old keys and advertises new tags", async () => {
    const a = await node("10.0.0.1", account)
    const b = await node("10.0.0.2", account)
    await vi.advanceTimersByTimeAsync(0)
    const rekeyed = discoveryKeys(randomBytes(16), randomBytes(16))
    await b.discovery.setKeys(rekeyed)
    expect(b.gone).toEqual([a.discovery.advertInstance])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(a.discovery.peers()).toEqual([])
    await a.discovery.setKeys(rekeyed)
    await vi.advanceTimersByTimeAsync(0)
    expect(a.discovery.peers().map((p) => p.id)).toEqual([b.discovery.advertInstance])
  })

  it("keeps at most maxPeers under a flood of adverts, and ignores non-matching ones without storing them", async () => {
    const a = await node("10.0.0.1", account, { maxPeers: 16 })
    for (let i = 0; i < 2_000; i++) {
      const keys = i % 2 === 0 ? account : stranger
      const advert = { instance: `flood${i}`, host: `h${i}.local`, port: 47110, txt: encodeAdvertTxt(keys), advertiseAddress: () => true }
      network.inject({ answers: recordsOf(advert, "10.0.9.9", 120) })
    }
    expect(a.discovery.peers()).toHaveLength(16)
    expect(a.found).toHaveLength(16)
  })

  it("survives random and malformed packets and a listener that throws", async () => {
    const a = await node("10.0.0.1", account)
    a.discovery.on("peer", () => {
      throw new Error("a buggy listener")
    })
    await node("10.0.0.2", account)
    await vi.advanceTimersByTimeAsync(0)
    expect(a.found).toHaveLength(1)
    fc.assert(
      fc.property(fc.anything(), (packet) => {
        network.inject(packet)
        network.inject({ answers: [packet], additionals: [packet] })
      }),
      { numRuns: 500 },
    )
    expect(a.found).toHaveLength(1)
  })

  it("start and stop are idempotent, and stop sends one goodbye", async () => {
    const a = await node("10.0.0.1", account)
    const b = await node("10.0.0.2", account)
    await vi.advanceTimersByTimeAsync(0)
    await Promise.all([a.discovery.start(), a.discovery.start()])
    expect(network.stacks.size).toBe(2)
    await Promise.all([b.discovery.stop(), b.discovery.stop()])
    await b.discovery.stop()
    expect(a.gone).toHaveLength(1)
    expect(b.discovery.running).toBe(false)
    expect(network.stacks.size).toBe(1)
  })

  it("fails to start with a clear INTERNAL error when UDP 5353 cannot be bound", async () => {
    network.failBind = true
    const discovery = new MdnsDiscovery(
      { logger: silentLogger(), stack: network.factory("10.0.0.1") },
      { port: 1, keys: account, advertise: true, isAllowedAddress: isLan },
    )
    await expect(discovery.start()).rejects.toMatchObject({ code: "INTERNAL" })
    expect(network.stacks.size).toBe(0)
    network.failBind = false
    await discovery.start()
    expect(discovery.running).toBe(true)
    await discovery.stop()
  })
})
