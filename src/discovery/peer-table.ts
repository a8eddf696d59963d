import type { AdvertSighting, ResponseReading } from "./mdns-response.js"
import type { AdvertMatch } from "./txt-record.js"

/** Addresses kept per peer. */
const MAX_ADDRESSES_PER_PEER = 16
/** A TTL shorter than this is treated as this, so an odd advertiser cannot make us flap. */
const MIN_TTL_MS = 1_000

/** A device of ours found by mDNS: its advert instance, where to dial it, and how it matched. */
export interface DiscoveredPeer {
  /** The advert's instance label: random per start of the advertiser. */
  readonly id: string
  /** LAN addresses to dial (allowed by the policy), best first as advertised. */
  readonly addresses: readonly string[]
  readonly port: number
  readonly match: AdvertMatch
}

/** A change to the set of peers: found (or its addresses, port or match changed), or gone. */
export type PeerChange = { readonly kind: "found"; readonly peer: DiscoveredPeer } | { readonly kind: "gone"; readonly id: string }

export interface PeerTableOptions {
  /** Peers kept at most; sightings of new instances beyond it are ignored. */
  readonly maxPeers: number
  /** A peer not seen for this long is gone (RFC 6762 §10.5, passive observation of failures). */
  readonly staleAfterMs: number
  /** Whether a TXT record is one of ours, and how. */
  readonly match: (txt: readonly Uint8Array[]) => AdvertMatch | undefined
  /** Whether an advertised address may be dialled (the LAN-only policy). */
  readonly isAllowedAddress: (ip: string) => boolean
}

interface Entry {
  peer: DiscoveredPeer
  target: string
  txtKey: string
  lastSeenMs: number
  ttlMs: number
}

/**
 * The matching peers seen on the network, bounded in size. Pure: it is fed
 * parsed responses and the time, and returns the changes to announce.
 * Non-matching adverts are never stored, so a flood costs no memory.
 */
export class PeerTable {
  private readonly entries = new Map<string, Entry>()
  /** Sightings ignored because the table was full (for logs and tests). */
  overflowCount = 0

  constructor(private readonly options: PeerTableOptions) {}

  get size(): number {
    return this.entries.size
  }

  /** The peers known now. */
  peers(): DiscoveredPeer[] {
    return [...this.entries.values()].map((entry) => entry.peer)
  }

  /** Applies one response; `sourceAddress` stands in for addresses when the packet carried none. */
  observe(reading: ResponseReading, sourceAddress: string | undefined, nowMs: number): PeerChange[] {
    const changes: PeerChange[] = []
    for (const id of reading.goodbyes) {
      if (this.entries.delete(id)) changes.push({ kind: "gone", id })
    }
    for (const sighting of reading.sightings) {
      const change = this.entries.has(sighting.instance) ? this.refresh(sighting, sourceAddress, nowMs) : this.add(sighting, sourceAddress, nowMs)
      if (change !== undefined) changes.push(change)
    }
    for (const [host, addresses] of reading.hostAddresses) changes.push(...this.readdress(host, addresses))
    return changes
  }

  /** Drops peers whose advert has expired or that stopped answering queries. */
  expire(nowMs: number): PeerChange[] {
    const changes: PeerChange[] = []
    for (const [id, entry] of this.entries) {
      if (nowMs - entry.lastSeenMs > Math.min(entry.ttlMs, this.options.staleAfterMs)) {
        this.entries.delete(id)
        changes.push({ kind: "gone", id })
      }
    }
    return changes
  }

  /** Forgets every peer (keys changed, or stopping); returns them as gone. */
  clear(): PeerChange[] {
    const changes = [...this.entries.keys()].map((id): PeerChange => ({ kind: "gone", id }))
    this.entries.clear()
    return changes
  }

  private add(sighting: AdvertSighting, sourceAddress: string | undefined, nowMs: number): PeerChange | undefined {
    if (sighting.txt === undefined) return undefined
    const match = this.options.match(sighting.txt)
    if (match === undefined) return undefined
    if (this.entries.size >= this.options.maxPeers) {
      this.overflowCount++
      return undefined
    }
    const addresses = this.allowed(sighting.addresses.length > 0 ? sighting.addresses : [sourceAddress])
    if (addresses.length === 0) return undefined // nothing we may dial; a later sighting may say more
    const peer: DiscoveredPeer = { id: sighting.instance, addresses, port: sighting.port, match }
    this.entries.set(peer.id, { peer, target: sighting.target, txtKey: txtKey(sighting.txt), lastSeenMs: nowMs, ttlMs: ttlMs(sighting) })
    return { kind: "found", peer }
  }

  private refresh(sighting: AdvertSighting, sourceAddress: string | undefined, nowMs: number): PeerChange | undefined {
    const entry = this.entries.get(sighting.instance)!
    entry.lastSeenMs = nowMs
    entry.ttlMs = ttlMs(sighting)
    entry.target = sighting.target
    let { match } = entry.peer
    if (sighting.txt !== undefined && txtKey(sighting.txt) !== entry.txtKey) {
      const now = this.options.match(sighting.txt)
      if (now === undefined) {
        this.entries.delete(sighting.instance)
        return { kind: "gone", id: sighting.instance }
      }
      match = now
      entry.txtKey = txtKey(sighting.txt)
    }
    const advertised = this.allowed(sighting.addresses)
    const addresses = advertised.length > 0 ? advertised : entry.peer.addresses.length > 0 ? entry.peer.addresses : this.allowed([sourceAddress])
    return this.update(entry, { ...entry.peer, match, port: sighting.port, addresses })
  }

  private readdress(host: string, addresses: readonly string[]): PeerChange[] {
    const changes: PeerChange[] = []
    const allowed = this.allowed(addresses)
    if (allowed.length === 0) return changes
    for (const entry of this.entries.values()) {
      if (entry.target !== host) continue
      const change = this.update(entry, { ...entry.peer, addresses: allowed })
      if (change !== undefined) changes.push(change)
    }
    return changes
  }

  private update(entry: Entry, next: DiscoveredPeer): PeerChange | undefined {
    const before = entry.peer
    if (before.port === next.port && before.match === next.match && sameList(before.addresses, next.addresses)) return undefined
    entry.peer = next
    return { kind: "found", peer: next }
  }

  private allowed(addresses: ReadonlyArray<string | undefined>): string[] {
    const out: string[] = []
    for (const address of addresses) {
      if (address === undefined || out.includes(address) || out.length >= MAX_ADDRESSES_PER_PEER) continue
      // fe80::/10 without a zone cannot be dialled, and the zone is unknown here.
      if (/^fe[89ab]/i.test(address) && !address.includes("%")) continue
      if (this.options.isAllowedAddress(address)) out.push(address)
    }
    return out
  }
}

function ttlMs(sighting: AdvertSighting): number {
  return Math.max(sighting.ttlSeconds * 1000, MIN_TTL_MS)
}

function txtKey(txt: readonly Uint8Array[]): string {
  return txt.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString("base64")).join(",")
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}
