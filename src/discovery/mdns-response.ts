import { isIP } from "node:net"

/** The DNS-SD service type lanvault publishes and browses (DESIGN §7). */
export const LANVAULT_SERVICE = "_lanvault._tcp.local"
/** Records looked at in one packet; an mDNS packet over UDP holds far fewer. */
const MAX_RECORDS_PER_PACKET = 512
/** Addresses kept per host name, and host names per packet. */
const MAX_ADDRESSES_PER_HOST = 16
const MAX_HOSTS_PER_PACKET = 64
/** A DNS-SD instance label is at most 63 bytes (RFC 6763 §4.1.1). */
const MAX_INSTANCE_CHARS = 63

/** One service instance as a response packet describes it (its SRV record, and what came with it). */
export interface AdvertSighting {
  /** The instance label, lower case (the part before `._lanvault._tcp.local`). */
  readonly instance: string
  /** TTL of the SRV record, in seconds (> 0). */
  readonly ttlSeconds: number
  readonly port: number
  /** The SRV target host name, lower case, without a trailing dot. */
  readonly target: string
  /** The TXT strings, when the packet carried the instance's TXT record. */
  readonly txt: readonly Uint8Array[] | undefined
  /** A/AAAA of `target` found in the same packet. */
  readonly addresses: readonly string[]
}

/** What one mDNS response says about lanvault instances. */
export interface ResponseReading {
  readonly sightings: readonly AdvertSighting[]
  /** Instance labels said goodbye to (TTL 0 on their PTR or SRV, RFC 6762 §10.1). */
  readonly goodbyes: readonly string[]
  /** Every A/AAAA in the packet by lower-case host name (for peers that announce an address change alone). */
  readonly hostAddresses: ReadonlyMap<string, readonly string[]>
}

interface RawRecord {
  name: string
  type: string
  ttl: number
  data: unknown
}

/**
 * Reads a response as multicast-dns decodes it (`{ answers, additionals }`).
 * Pure and total: records of other services and anything malformed are skipped,
 * and it never throws on any input.
 */
export function readResponse(packet: unknown, service: string = LANVAULT_SERVICE): ResponseReading {
  const records = recordsOf(packet)
  const suffix = `.${service}`
  const hostAddresses = addressesByHost(records)
  const goodbyes = new Set<string>()
  const txtByInstance = new Map<string, Uint8Array[]>()
  const srvs: RawRecord[] = []
  for (const rr of records) {
    const name = normalizeName(rr.name)
    if (rr.type === "PTR" && name === service && rr.ttl === 0 && typeof rr.data === "string") {
      const instance = instanceOf(normalizeName(rr.data), suffix)
      if (instance !== undefined) goodbyes.add(instance)
    } else if (rr.type === "SRV" || rr.type === "TXT") {
      const instance = instanceOf(name, suffix)
      if (instance === undefined) continue
      if (rr.type === "SRV") {
        if (rr.ttl === 0) goodbyes.add(instance)
        else srvs.push(rr)
      } else if (rr.ttl > 0 && !txtByInstance.has(instance)) {
        const txt = txtStrings(rr.data)
        if (txt !== undefined) txtByInstance.set(instance, txt)
      }
    }
  }
  const sightings: AdvertSighting[] = []
  for (const rr of srvs) {
    const instance = instanceOf(normalizeName(rr.name), suffix)!
    const srv = srvData(rr.data)
    if (srv === undefined || goodbyes.has(instance) || sightings.some((s) => s.instance === instance)) continue
    sightings.push({
      instance,
      ttlSeconds: rr.ttl,
      port: srv.port,
      target: srv.target,
      txt: txtByInstance.get(instance),
      addresses: hostAddresses.get(srv.target) ?? [],
    })
  }
  return { sightings, goodbyes: [...goodbyes], hostAddresses }
}

function recordsOf(packet: unknown): RawRecord[] {
  if (typeof packet !== "object" || packet === null) return []
  const { answers, additionals } = packet as { answers?: unknown; additionals?: unknown }
  const all = [...(Array.isArray(answers) ? answers : []), ...(Array.isArray(additionals) ? additionals : [])]
  const records: RawRecord[] = []
  for (const rr of all.slice(0, MAX_RECORDS_PER_PACKET)) {
    if (typeof rr !== "object" || rr === null) continue
    const { name, type, ttl, data } = rr as Partial<RawRecord>
    if (typeof name !== "string" || typeof type !== "string" || typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0) continue
    records.push({ name, type, ttl, data })
  }
  return records
}

function addressesByHost(records: readonly RawRecord[]): Map<string, string[]> {
  const hosts = new Map<string, string[]>()
  for (const rr of records) {
    if ((rr.type !== "A" && rr.type !== "AAAA") || rr.ttl === 0 || typeof rr.data !== "string") continue
    const family = rr.type === "A" ? 4 : 6
    if (isIP(rr.data) !== family) continue
    const host = normalizeName(rr.name)
    let list = hosts.get(host)
    if (list === undefined) {
      if (hosts.size >= MAX_HOSTS_PER_PACKET) continue
      hosts.set(host, (list = []))
    }
    const address = rr.data.toLowerCase()
    if (list.length < MAX_ADDRESSES_PER_HOST && !list.includes(address)) list.push(address)
  }
  return hosts
}

function srvData(data: unknown): { port: number; target: string } | undefined {
  if (typeof data !== "object" || data === null) return undefined
  const { port, target } = data as { port?: unknown; target?: unknown }
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined
  if (typeof target !== "string" || target.length === 0 || target.length > 255) return undefined
  return { port, target: normalizeName(target) }
}

/** TXT data as dns-packet gives it: one Buffer (or string) per TXT string. */
function txtStrings(data: unknown): Uint8Array[] | undefined {
  const items = Array.isArray(data) ? data : [data]
  const out: Uint8Array[] = []
  for (const item of items) {
    if (item instanceof Uint8Array) out.push(item)
    else if (typeof item === "string") out.push(new TextEncoder().encode(item))
    else return undefined
  }
  return out
}

function instanceOf(fqdn: string, suffix: string): string | undefined {
  if (!fqdn.endsWith(suffix)) return undefined
  const instance = fqdn.slice(0, -suffix.length)
  return instance.length > 0 && instance.length <= MAX_INSTANCE_CHARS ? instance : undefined
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "")
}
