import { afterEach, describe, expect, it } from "vitest"
import { META, readAccountContext } from "../../../src/account/index.js"
import type { ChannelLink } from "../../../src/connections/channel-link.js"
import { PeerNetwork } from "../../../src/connections/peer-network.js"
import { toHex } from "../../../src/crypto/index.js"
import { LanvaultError } from "../../../src/errors.js"
import type { Replicator } from "../../../src/sync/index.js"
import { makeAccount, recordingLogger, revokeSigned, type Device } from "../sync/sync-fixtures.js"

/** The part of the Replicator the network feeds: links it adopted, in order. */
function fakeReplicator() {
  const links: ChannelLink[] = []
  return { links, replicator: { addLink: (link: ChannelLink) => void links.push(link) } as unknown as Replicator }
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("PeerNetwork over loopback", () => {
  const networks: PeerNetwork[] = []
  afterEach(async () => {
    await Promise.all(networks.splice(0).map((network) => network.stop()))
  })

  function networkOf(device: Device, accountId: Uint8Array, options: { peers?: string[]; generation?: number } = {}) {
    device.store.setMeta(META.accountId, toHex(accountId))
    device.store.setMeta(META.generation, String(options.generation ?? 1))
    const { links, replicator } = fakeReplicator()
    const standing: string[] = []
    const pairing = { handled: 0, handle: async () => void pairing.handled++ }
    const network = new PeerNetwork(
      { store: device.store, account: readAccountContext(device.store), logger: recordingLogger(), replicator, pairing, onStanding: (state) => void standing.push(state) },
      { host: "127.0.0.1", port: 0, peers: options.peers },
    )
    networks.push(network)
    return { network, links, standing, pairing }
  }

  it("links two trusted devices once: each side hands one link to its replicator, and the dialer reports the device", async () => {
    const { accountId, devices: [a, b] } = makeAccount(["a", "b"])
    const left = networkOf(a, accountId)
    await left.network.start()
    const right = networkOf(b, accountId, { peers: [`127.0.0.1:${left.network.port}`] })
    await right.network.start()
    await until(() => left.links.length === 1 && right.links.length === 1, "both links")
    expect(left.links[0].remoteDeviceId).toBe(b.deviceId)
    expect(right.links[0].remoteDeviceId).toBe(a.deviceId)
    expect(right.network.status()).toEqual([{ address: `127.0.0.1:${left.network.port}`, how: "static", state: "connected", deviceId: a.deviceId, lastError: undefined }])
    // Reached once: remembered, so the next start dials it again.
    expect(JSON.parse(b.store.getMeta(META.knownPeers)!)).toEqual([`127.0.0.1:${left.network.port}`])
  })

  it("a device outside the trust list is refused as an unknown device, and nothing reaches the replicator", async () => {
    const { accountId, devices: [a] } = makeAccount(["a"])
    const { devices: [stranger] } = makeAccount(["stranger"])
    const left = networkOf(a, accountId)
    await left.network.start()
    const right = networkOf(stranger, accountId)
    await right.network.start()
    const error = await right.network.dial(`127.0.0.1:${left.network.port}`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LanvaultError)
    expect((error as LanvaultError).data?.reason).toBe("unknown device")
    expect(left.links).toEqual([])
  })

  it("a revoked device hears that it was revoked and learns its standing", async () => {
    const { accountId, devices: [a, b] } = makeAccount(["a", "b"])
    revokeSigned(accountId, a.store, b.deviceId, 5_000)
    const left = networkOf(a, accountId)
    await left.network.start()
    const right = networkOf(b, accountId)
    await right.network.start()
    const error = await right.network.dial(`127.0.0.1:${left.network.port}`).catch((e: unknown) => e)
    expect((error as LanvaultError).data?.reason).toBe("revoked")
    expect(right.standing).toEqual(["revoked"])
    expect(left.links).toEqual([])
  })

  it("a trusted device of a newer generation tells this one its account was reset", async () => {
    const { accountId, devices: [a, b] } = makeAccount(["a", "b"])
    const left = networkOf(a, accountId, { generation: 2 })
    await left.network.start()
    const right = networkOf(b, accountId, { generation: 1 })
    await right.network.start()
    const error = await right.network.dial(`127.0.0.1:${left.network.port}`).catch((e: unknown) => e)
    expect((error as LanvaultError).data?.reason).toBe("account was reset")
    expect(right.standing).toEqual(["account reset"])
  })

  it("peer add remembers a LAN address and dials it; a foreign one is refused; peer remove forgets it", async () => {
    const { accountId, devices: [a] } = makeAccount(["a"])
    const { network } = networkOf(a, accountId)
    await network.start()
    expect(network.addPeer("10.1.2.3:4000")).toBe("10.1.2.3:4000")
    expect(JSON.parse(a.store.getMeta(META.manualPeers)!)).toEqual(["10.1.2.3:4000"])
    expect(network.status().map((peer) => [peer.address, peer.how])).toEqual([["10.1.2.3:4000", "manual"]])
    expect(network.shareableAddresses()).toEqual([{ address: "10.1.2.3:4000", deviceId: undefined }])
    expect(() => network.addPeer("8.8.8.8:4000")).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    expect(network.removePeer("10.1.2.3:4000")).toBe(true)
    expect(network.removePeer("10.1.2.3:4000")).toBe(false)
    expect(JSON.parse(a.store.getMeta(META.manualPeers)!)).toEqual([])
    expect(network.status()).toEqual([])
  })

  it("shared addresses: LAN ones are kept and dialled, foreign or malformed ones ignored; discovered ones are forgotten with their advert", async () => {
    const { accountId, devices: [a] } = makeAccount(["a"])
    const { network } = networkOf(a, accountId)
    await network.start()
    network.learnPeers(["192.168.7.7:5000", "1.1.1.1:5000", "not an address"])
    expect(JSON.parse(a.store.getMeta(META.sharedPeers)!)).toEqual(["192.168.7.7:5000"])
    network.learnDiscovered("10.9.9.9:47110")
    expect(network.status().map((peer) => [peer.address, peer.how]).sort()).toEqual([["10.9.9.9:47110", "mdns"], ["192.168.7.7:5000", "shared"]])
    network.forget("192.168.7.7:5000") // not found by mDNS: kept
    network.forget("10.9.9.9:47110")
    expect(network.status().map((peer) => peer.address)).toEqual(["192.168.7.7:5000"])
  })

  it("stop() closes links and stops dialling; a second stop is harmless", async () => {
    const { accountId, devices: [a, b] } = makeAccount(["a", "b"])
    const left = networkOf(a, accountId)
    await left.network.start()
    const right = networkOf(b, accountId, { peers: [`127.0.0.1:${left.network.port}`] })
    await right.network.start()
    await until(() => right.links.length === 1, "the link")
    await right.network.stop()
    await right.network.stop()
    await until(() => right.links[0].isClosed, "the link to close")
    expect(right.network.status()).toEqual([])
  })
})
