import type { Logger } from "../log.js"

/** One service instance to publish. Nothing in it may name the account, device, user or machine. */
export interface MdnsAdvert {
  /** Random instance label (`<instance>._lanvault._tcp.local`). */
  readonly instance: string
  /** Random SRV target host name, e.g. `lv-1a2b3c4d5e6f.local`, answered with this machine's addresses. */
  readonly host: string
  readonly port: number
  readonly txt: Readonly<Record<string, string>>
  /** Which of this machine's addresses the A/AAAA records may carry. */
  readonly advertiseAddress: (ip: string) => boolean
}

/** Where a packet came from. */
export interface MdnsSource {
  readonly address: string
  readonly port: number
}

/**
 * What MdnsDiscovery needs from an mDNS stack: bonjour-service in production
 * (BonjourStack), an in-memory bus in tests. One published advert at a time.
 */
export interface MdnsStack {
  /** Resolves once the socket is bound; rejects if it cannot be. */
  ready(): Promise<void>
  /** Probes, announces and answers queries for `advert` until `unpublish`. */
  publish(advert: MdnsAdvert): void
  /** Sends goodbyes (TTL 0) for the published advert; resolves once sent. No-op if none. */
  unpublish(): Promise<void>
  /** Sends one PTR query for a service type, e.g. `_lanvault._tcp.local`. */
  query(service: string): void
  /** Calls `listener` with every decoded mDNS response received, our own included. */
  onResponse(listener: (packet: unknown, source: MdnsSource) => void): void
  /** Closes the socket; idempotent. */
  destroy(): Promise<void>
}

export interface MdnsStackOptions {
  /** IPv4 address of the interface to use; all interfaces when absent. */
  readonly interface?: string
  readonly logger: Logger
}

/** Makes the stack of one MdnsDiscovery run. */
export type MdnsStackFactory = (options: MdnsStackOptions) => MdnsStack
