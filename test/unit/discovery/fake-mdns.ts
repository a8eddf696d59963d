import type { MdnsAdvert, MdnsSource, MdnsStack, MdnsStackFactory } from "../../../src/discovery/mdns-stack.js"

const MDNS_PORT = 5353
const SERVICE = "_lanvault._tcp.local"

/** A record as multicast-dns decodes it. */
export interface FakeRecord {
  name: string
  type: string
  ttl: number
  data: unknown
}

/** One LAN segment in memory: every packet reaches every stack, the sender's own included (like multicast loopback). */
export class FakeMdnsNetwork {
  readonly stacks = new Set<FakeStack>()
  /** Every packet sent, in order. */
  readonly sent: Array<{ packet: { answers: FakeRecord[]; additionals: FakeRecord[] }; source: MdnsSource }> = []
  queries = 0
  failBind = false

  /** A factory for MdnsDiscovery deps: stacks of a host with `address`. */
  factory(address: string): MdnsStackFactory {
    return () => new FakeStack(this, address)
  }

  /** Delivers a packet to every stack, as if from `address`. */
  inject(packet: unknown, address = "10.0.0.99"): void {
    for (const stack of [...this.stacks]) stack.deliver(packet, { address, port: MDNS_PORT })
  }

  broadcast(answers: FakeRecord[], from: string): void {
    const packet = { answers, additionals: [] }
    this.sent.push({ packet, source: { address: from, port: MDNS_PORT } })
    this.inject(packet, from)
  }
}

export class FakeStack implements MdnsStack {
  advert: MdnsAdvert | undefined
  destroyed = false
  private readonly listeners: Array<(packet: unknown, source: MdnsSource) => void> = []

  constructor(
    private readonly network: FakeMdnsNetwork,
    readonly address: string,
  ) {
    network.stacks.add(this)
  }

  ready(): Promise<void> {
    if (this.network.failBind) return Promise.reject(Object.assign(new Error("bind EADDRINUSE 0.0.0.0:5353"), { code: "EADDRINUSE" }))
    return Promise.resolve()
  }

  publish(advert: MdnsAdvert): void {
    if (this.advert !== undefined) throw new Error("already published")
    this.advert = advert
    this.announce()
  }

  async unpublish(): Promise<void> {
    const advert = this.advert
    this.advert = undefined
    if (advert !== undefined) this.network.broadcast(recordsOf(advert, this.address, 0), this.address)
  }

  query(service: string): void {
    this.network.queries++
    if (service !== SERVICE) return
    for (const stack of [...this.network.stacks]) stack.announce()
  }

  onResponse(listener: (packet: unknown, source: MdnsSource) => void): void {
    this.listeners.push(listener)
  }

  async destroy(): Promise<void> {
    this.destroyed = true
    this.network.stacks.delete(this)
  }

  /** Vanishes without a goodbye (power cut). */
  vanish(): void {
    this.advert = undefined
    this.network.stacks.delete(this)
  }

  announce(): void {
    if (this.advert !== undefined) this.network.broadcast(recordsOf(this.advert, this.address, 120), this.address)
  }

  deliver(packet: unknown, source: MdnsSource): void {
    for (const listener of this.listeners) listener(packet, source)
  }
}

/** The records bonjour-service sends for an advert (PTR, SRV, TXT, A), with `ttl`. */
export function recordsOf(advert: MdnsAdvert, address: string, ttl: number): FakeRecord[] {
  const fqdn = `${advert.instance}.${SERVICE}`
  const records: FakeRecord[] = [
    { name: SERVICE, type: "PTR", ttl, data: fqdn },
    { name: fqdn, type: "SRV", ttl, data: { priority: 0, weight: 0, port: advert.port, target: advert.host } },
    { name: fqdn, type: "TXT", ttl, data: Object.entries(advert.txt).map(([key, value]) => Buffer.from(`${key}=${value}`)) },
  ]
  if (advert.advertiseAddress(address)) records.push({ name: advert.host, type: "A", ttl, data: address })
  return records
}
