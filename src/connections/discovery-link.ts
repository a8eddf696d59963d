import { readAccountKey, type AccountContext } from "../account/index.js"
import type { DiscoveredPeer, MdnsDiscovery } from "../discovery/index.js"
import { errorFields, type Logger } from "../log.js"
import { isLanAddress } from "../transport/index.js"
import type { PeerNetwork } from "./peer-network.js"

/**
 * Connects mDNS discovery to the peer network: publishes this device's advert
 * (blinded tags of the account id and account key), and dials every advert that
 * carries this account's tag. Adverts that go away stop being dialled. discovery/
 * (bonjour-service and its DNS packets) loads at start: a daemon run with
 * `--no-mdns` never loads it.
 */
export class DiscoveryLink {
  private discovery: MdnsDiscovery | undefined
  private mdns: typeof import("../discovery/index.js") | undefined
  /** Counts starts and stops: a start whose module load outlived a stop does not start. */
  private generation = 0
  private readonly dialled = new Map<string, string>()

  constructor(
    private readonly deps: { account: AccountContext; home: string; logger: Logger; network: PeerNetwork },
    private readonly options: { extraCidrs?: string[] } = {},
  ) {}

  async start(): Promise<void> {
    if (this.discovery) return
    const generation = ++this.generation
    this.mdns ??= await import("../discovery/index.js")
    if (generation !== this.generation || this.discovery) return
    const discovery = new this.mdns.MdnsDiscovery({ logger: this.deps.logger }, {
      port: this.deps.network.port,
      keys: this.keys(),
      advertise: true,
      isAllowedAddress: (ip) => isLanAddress(ip, this.options.extraCidrs),
    })
    discovery.on("peer", (peer) => this.onPeer(peer))
    discovery.on("peerGone", ({ id }) => this.onGone(id))
    this.discovery = discovery
    try {
      await discovery.start()
    } catch (error) {
      this.deps.logger.warn("mDNS discovery is off: devices are reached only by address", errorFields(error))
      this.discovery = undefined
    }
  }

  async stop(): Promise<void> {
    this.generation += 1
    const discovery = this.discovery
    this.discovery = undefined
    await discovery?.stop()
  }

  /** The account key changed (a revoke's re-key): advertise and match the new tag. */
  refreshKeys(): void {
    try {
      this.discovery?.setKeys(this.keys())
    } catch (error) {
      this.deps.logger.warn("could not update the mDNS tags", errorFields(error))
    }
  }

  private keys() {
    return this.mdns!.discoveryKeys(this.deps.account.accountIdBytes, readAccountKey(this.deps.home))
  }

  private onPeer(peer: DiscoveredPeer): void {
    if (peer.match === "pairing") return
    const address = bestAddress(peer.addresses)
    if (!address) return
    const target = address.includes(":") ? `[${address}]:${peer.port}` : `${address}:${peer.port}`
    const previous = this.dialled.get(peer.id)
    if (previous === target) return
    if (previous) this.deps.network.forget(previous)
    this.dialled.set(peer.id, target)
    this.deps.network.learnDiscovered(target)
  }

  private onGone(id: string): void {
    const target = this.dialled.get(id)
    this.dialled.delete(id)
    if (target) this.deps.network.forget(target)
  }
}

/** IPv4 first (link-local IPv6 needs a zone we cannot carry), else the first address. */
function bestAddress(addresses: readonly string[]): string | undefined {
  return addresses.find((a) => !a.includes(":")) ?? addresses[0]
}
