import Bonjour, { type Service, type ServiceConfig } from "bonjour-service"
import { networkInterfaces } from "node:os"
import { errorFields, type Logger } from "../log.js"
import type { MdnsAdvert, MdnsSource, MdnsStack, MdnsStackOptions } from "./mdns-stack.js"

/** bonjour-service's name for `_lanvault._tcp`. */
const SERVICE_TYPE = "lanvault"
/** Longest wait for a goodbye to be sent before the socket closes anyway. */
const UNPUBLISH_TIMEOUT_MS = 2_000
/** With `interface`, bind the wildcard: bound to the unicast address, Linux delivers no multicast (multicast-dns#53). */
const WILDCARD_BIND = "0.0.0.0"

/** The part of multicast-dns 7 this stack uses (bonjour-service keeps it in its private `server.mdns`). */
interface MulticastDns {
  on(event: "response", listener: (packet: unknown, rinfo: MdnsSource) => void): void
  on(event: "ready", listener: () => void): void
  on(event: "error" | "warning", listener: (error: Error) => void): void
  once(event: "ready", listener: () => void): void
  once(event: "error", listener: (error: Error) => void): void
  removeListener(event: string, listener: (...args: never[]) => void): void
  query(name: string, type: string): void
}

/**
 * The mDNS stack over bonjour-service: its responder publishes (probe, announce
 * with backoff, answers, goodbye) and its multicast-dns socket carries our PTR
 * queries and every response to MdnsDiscovery. Its Browser is not used: it keeps
 * every instance ever seen (unbounded under a flood) and never refreshes them.
 */
export class BonjourStack implements MdnsStack {
  private readonly bonjour: Bonjour
  private readonly mdns: MulticastDns
  private readonly logger: Logger
  private readonly interfaceAddress: string | undefined
  private readonly readyPromise: Promise<void>
  private service: Service | undefined
  private destroyed = false

  constructor(options: MdnsStackOptions) {
    this.logger = options.logger
    this.interfaceAddress = options.interface
    const socketOptions = options.interface === undefined ? {} : { interface: options.interface, bind: WILDCARD_BIND }
    // The default error callback throws from a socket callback: log instead.
    this.bonjour = new Bonjour(socketOptions as Partial<ServiceConfig>, (error: Error) => this.logger.warn("an mDNS answer could not be sent", errorFields(error)))
    const mdns = (this.bonjour as unknown as { server?: { mdns?: MulticastDns } }).server?.mdns
    if (typeof mdns?.on !== "function" || typeof mdns.query !== "function") {
      throw new Error("bonjour-service no longer exposes its multicast-dns socket (server.mdns): check the bonjour-service version")
    }
    this.mdns = mdns
    this.readyPromise = new Promise<void>((resolve, reject) => {
      mdns.once("ready", resolve)
      mdns.once("error", reject)
    })
    this.readyPromise.catch(() => undefined) // observed by ready(); never an unhandled rejection
    mdns.on("error", (error) => this.logger.warn("the mDNS socket failed", errorFields(error)))
    mdns.on("warning", (error) => this.logger.debug("mDNS socket warning", errorFields(error)))
  }

  ready(): Promise<void> {
    return this.readyPromise
  }

  publish(advert: MdnsAdvert): void {
    if (this.destroyed) return
    if (this.service !== undefined) throw new Error("an advert is already published: unpublish it first")
    const service = this.bonjour.publish(serviceConfig(advert))
    // bonjour-service answers for the custom host with every non-internal address; keep
    // only those the policy allows (and only the chosen interface's). Records are built
    // after the probe, on each announce and at teardown, so this takes effect for all.
    const allRecords = service.records.bind(service)
    service.records = () => allRecords().filter((rr) => (rr.type !== "A" && rr.type !== "AAAA") || this.mayAdvertise(advert, rr.data))
    this.service = service
  }

  async unpublish(): Promise<void> {
    const service = this.service
    this.service = undefined
    if (service === undefined || this.destroyed) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, UNPUBLISH_TIMEOUT_MS)
      timer.unref()
      service.stop?.(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  query(service: string): void {
    if (!this.destroyed) this.mdns.query(service, "PTR")
  }

  onResponse(listener: (packet: unknown, source: MdnsSource) => void): void {
    this.mdns.on("response", listener)
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    this.service = undefined
    await new Promise<void>((resolve) => this.bonjour.destroy(() => resolve()))
  }

  private mayAdvertise(advert: MdnsAdvert, ip: unknown): boolean {
    if (typeof ip !== "string" || !advert.advertiseAddress(ip)) return false
    // A link-local IPv6 address is useless to a peer without its zone, and often embeds the MAC.
    if (/^fe[89ab]/i.test(ip)) return false
    return this.interfaceAddress === undefined || interfaceAddressesOf(this.interfaceAddress).includes(ip)
  }
}

/** The bonjour-service config of an advert: random names, our TXT, nothing of this machine. */
export function serviceConfig(advert: MdnsAdvert): ServiceConfig {
  return { name: advert.instance, type: SERVICE_TYPE, protocol: "tcp", port: advert.port, host: advert.host, txt: { ...advert.txt }, probe: true }
}

/** Every address of the interface that holds `address`. */
function interfaceAddressesOf(address: string): string[] {
  for (const infos of Object.values(networkInterfaces())) {
    if (infos?.some((info) => info.address === address)) return infos.map((info) => info.address)
  }
  return []
}
