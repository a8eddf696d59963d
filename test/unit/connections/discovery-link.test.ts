import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest"
import { META, readAccountContext, writeAccountKey } from "../../../src/account/index.js"
import { DiscoveryLink } from "../../../src/connections/discovery-link.js"
import type { PeerNetwork } from "../../../src/connections/peer-network.js"
import { generateDeviceKeys, randomBytes, toHex } from "../../../src/crypto/index.js"
import { discoveryKeys, type DiscoveredPeer, type DiscoveryKeys } from "../../../src/discovery/index.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { recordingLogger } from "../helpers/recording-logger.js"

/** Every MdnsDiscovery the link made, standing in for the real one (same methods and events, no socket). */
const made = vi.hoisted(() => [] as Array<{
  options: { port: number; keys: unknown; advertise: boolean; isAllowedAddress: (ip: string) => boolean }
  listeners: Map<string, (payload: unknown) => void>
  keys: unknown[]
  started: boolean
  failStart: boolean
}>)
const failNextStart = vi.hoisted(() => ({ value: false }))

vi.mock("../../../src/discovery/index.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/discovery/index.js")>()
  class FakeMdnsDiscovery {
    readonly state: (typeof made)[number]
    constructor(_deps: unknown, options: (typeof made)[number]["options"]) {
      this.state = { options, listeners: new Map(), keys: [], started: false, failStart: failNextStart.value }
      failNextStart.value = false
      made.push(this.state)
    }
    on(event: string, listener: (payload: unknown) => void) {
      this.state.listeners.set(event, listener)
      return () => this.state.listeners.delete(event)
    }
    async start() {
      if (this.state.failStart) throw new Error("no multicast here")
      this.state.started = true
    }
    async stop() {
      this.state.started = false
    }
    async setKeys(keys: unknown) {
      this.state.keys.push(keys)
    }
  }
  return { ...real, MdnsDiscovery: FakeMdnsDiscovery }
})

const peer = (id: string, addresses: string[], match: DiscoveredPeer["match"] = "account"): DiscoveredPeer =>
  ({ id, addresses, port: 47110, match } as DiscoveredPeer)

describe("DiscoveryLink", () => {
  const home = mkdtempSync(join(tmpdir(), "lanvault-discovery-link-"))
  afterAll(() => rmSync(home, { recursive: true, force: true }))
  const accountId = randomBytes(16)
  const accountKey = randomBytes(16)
  let network: { port: number; learnDiscovered: ReturnType<typeof vi.fn>; forget: ReturnType<typeof vi.fn> }
  let link: DiscoveryLink
  let logger: ReturnType<typeof recordingLogger>

  beforeEach(async () => {
    made.length = 0
    writeAccountKey(home, accountKey)
    const store = new MemoryStore()
    store.setMeta(META.accountId, toHex(accountId))
    const keys = generateDeviceKeys()
    store.setIdentity({ deviceId: toHex(randomBytes(16)), signSecret: keys.signSecret, dhSecret: keys.dhSecret })
    network = { port: 40123, learnDiscovered: vi.fn(), forget: vi.fn() }
    logger = recordingLogger()
    link = new DiscoveryLink({ account: readAccountContext(store), home, logger, network: network as unknown as PeerNetwork }, { extraCidrs: ["100.64.0.0/10"] })
  })

  const emit = (event: string, payload: unknown) => made[0].listeners.get(event)!(payload)

  it("advertises on the network's port with the account's blinded keys and the LAN policy (extra CIDRs included)", async () => {
    await link.start()
    await link.start() // idempotent
    expect(made).toHaveLength(1)
    const { options } = made[0]
    expect(options).toMatchObject({ port: 40123, advertise: true })
    expect(options.keys as DiscoveryKeys).toEqual(discoveryKeys(accountId, accountKey))
    expect([options.isAllowedAddress("10.0.0.1"), options.isAllowedAddress("100.64.1.1"), options.isAllowedAddress("8.8.8.8")]).toEqual([true, true, false])
  })

  it("dials a device of this account (IPv4 first, IPv6 in brackets) and ignores a pairing advert", async () => {
    await link.start()
    emit("peer", peer("one", ["fe80::1", "10.0.0.5"]))
    emit("peer", peer("two", ["fd00::7"]))
    emit("peer", peer("joiner", ["10.0.0.9"], "pairing"))
    emit("peer", peer("none", []))
    expect(network.learnDiscovered.mock.calls).toEqual([["10.0.0.5:47110"], ["[fd00::7]:47110"]])
  })

  it("follows a device to its new address and forgets it when its advert goes", async () => {
    await link.start()
    emit("peer", peer("one", ["10.0.0.5"]))
    emit("peer", peer("one", ["10.0.0.5"])) // the same advert again: nothing new
    emit("peer", peer("one", ["10.0.0.6"]))
    expect(network.learnDiscovered.mock.calls).toEqual([["10.0.0.5:47110"], ["10.0.0.6:47110"]])
    expect(network.forget.mock.calls).toEqual([["10.0.0.5:47110"]])
    emit("peerGone", { id: "one" })
    emit("peerGone", { id: "never-seen" })
    expect(network.forget.mock.calls).toEqual([["10.0.0.5:47110"], ["10.0.0.6:47110"]])
  })

  it("re-keys the advert after the account key changed", async () => {
    await link.start()
    const next = randomBytes(16)
    writeAccountKey(home, next)
    link.refreshKeys()
    expect(made[0].keys).toEqual([discoveryKeys(accountId, next)])
  })

  it("runs on without mDNS when discovery cannot start, saying so once", async () => {
    failNextStart.value = true
    await link.start()
    expect(logger.lines.filter((line) => line.level === "warn").map((line) => line.message)).toEqual(["mDNS discovery is off: devices are reached only by address"])
    link.refreshKeys() // nothing to re-key: no throw
    await link.stop()
    await link.start() // a later start tries again
    expect(made).toHaveLength(2)
    expect(made[1].started).toBe(true)
  })

  it("stop() stops discovery and is idempotent", async () => {
    await link.start()
    await link.stop()
    await link.stop()
    expect(made[0].started).toBe(false)
  })
})
