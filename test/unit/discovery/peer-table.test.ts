import { describe, expect, it } from "vitest"
import type { AdvertSighting, ResponseReading } from "../../../src/discovery/mdns-response.js"
import { PeerTable, type PeerTableOptions } from "../../../src/discovery/peer-table.js"

const OURS = [Buffer.from("ours")]
const THEIRS = [Buffer.from("theirs")]
const isLan = (ip: string) => ip.startsWith("10.") || ip.startsWith("fd")

function table(options: Partial<PeerTableOptions> = {}): PeerTable {
  return new PeerTable({
    maxPeers: 8,
    staleAfterMs: 30_000,
    match: (txt) => (Buffer.from(txt[0] ?? []).toString() === "ours" ? "account" : undefined),
    isAllowedAddress: isLan,
    ...options,
  })
}

function sighting(instance: string, fields: Partial<AdvertSighting> = {}): AdvertSighting {
  return { instance, ttlSeconds: 120, port: 47110, target: `lv-${instance}.local`, txt: OURS, addresses: ["10.1.0.1"], ...fields }
}

function reading(sightings: AdvertSighting[], goodbyes: string[] = [], hostAddresses = new Map<string, string[]>()): ResponseReading {
  return { sightings, goodbyes, hostAddresses }
}

describe("PeerTable", () => {
  it("reports a matching advert once, and again only when its port or addresses change", () => {
    const peers = table()
    expect(peers.observe(reading([sighting("a")]), "10.1.0.1", 0)).toEqual([
      { kind: "found", peer: { id: "a", addresses: ["10.1.0.1"], port: 47110, match: "account" } },
    ])
    expect(peers.observe(reading([sighting("a")]), "10.1.0.1", 1)).toEqual([])
    expect(peers.observe(reading([sighting("a", { addresses: ["10.1.0.7"] })]), "10.1.0.7", 2)).toEqual([
      { kind: "found", peer: { id: "a", addresses: ["10.1.0.7"], port: 47110, match: "account" } },
    ])
    expect(peers.observe(reading([sighting("a", { port: 5000, txt: undefined, addresses: [] })]), "10.1.0.7", 3)[0]).toMatchObject({
      peer: { port: 5000, addresses: ["10.1.0.7"] },
    })
  })

  it("never stores an advert that does not match", () => {
    const peers = table()
    expect(peers.observe(reading([sighting("x", { txt: THEIRS })]), "10.1.0.9", 0)).toEqual([])
    expect(peers.observe(reading([sighting("y", { txt: undefined })]), "10.1.0.9", 0)).toEqual([])
    expect(peers.size).toBe(0)
  })

  it("drops addresses outside the LAN policy and link-local IPv6 without a zone, and ignores an advert left with none", () => {
    const peers = table()
    expect(peers.observe(reading([sighting("a", { addresses: ["8.8.8.8", "fe80::1", "fd00::2", "10.1.0.1"] })]), "10.1.0.1", 0)).toEqual([
      { kind: "found", peer: { id: "a", addresses: ["fd00::2", "10.1.0.1"], port: 47110, match: "account" } },
    ])
    expect(peers.observe(reading([sighting("b", { addresses: ["8.8.8.8"] })]), "10.1.0.2", 0)).toEqual([])
    expect(peers.size).toBe(1)
  })

  it("falls back to the packet's source address only when the advert carries no address at all", () => {
    const peers = table()
    expect(peers.observe(reading([sighting("a", { addresses: [] })]), "10.1.0.5", 0)[0]).toMatchObject({ peer: { addresses: ["10.1.0.5"] } })
    expect(peers.observe(reading([sighting("b", { addresses: [] })]), "93.184.216.34", 0)).toEqual([])
  })

  it("forgets a peer on goodbye, and reports its return under a new instance", () => {
    const peers = table()
    peers.observe(reading([sighting("a")]), "10.1.0.1", 0)
    expect(peers.observe(reading([], ["a", "unknown"]), "10.1.0.1", 1)).toEqual([{ kind: "gone", id: "a" }])
    expect(peers.observe(reading([sighting("a2")]), "10.1.0.1", 2)).toHaveLength(1)
  })

  it("expires a peer not seen for staleAfterMs, or past its TTL if shorter", () => {
    const peers = table({ staleAfterMs: 30_000 })
    peers.observe(reading([sighting("a"), sighting("short", { ttlSeconds: 5 })]), "10.1.0.1", 0)
    expect(peers.expire(5_000)).toEqual([])
    expect(peers.expire(5_001)).toEqual([{ kind: "gone", id: "short" }])
    peers.observe(reading([sighting("a")]), "10.1.0.1", 20_000)
    expect(peers.expire(50_000)).toEqual([])
    expect(peers.expire(50_001)).toEqual([{ kind: "gone", id: "a" }])
  })

  it("drops a peer whose new TXT no longer matches (the account was re-keyed)", () => {
    const peers = table()
    peers.observe(reading([sighting("a")]), "10.1.0.1", 0)
    expect(peers.observe(reading([sighting("a", { txt: THEIRS })]), "10.1.0.1", 1)).toEqual([{ kind: "gone", id: "a" }])
  })

  it("follows an address change announced for the peer's host name alone", () => {
    const peers = table()
    peers.observe(reading([sighting("a")]), "10.1.0.1", 0)
    const moved = new Map([["lv-a.local", ["10.2.0.1"]]])
    expect(peers.observe(reading([], [], moved), "10.2.0.1", 1)).toEqual([
      { kind: "found", peer: { id: "a", addresses: ["10.2.0.1"], port: 47110, match: "account" } },
    ])
  })

  it("holds at most maxPeers under a flood of matching adverts, and counts the rest", () => {
    const peers = table({ maxPeers: 8 })
    for (let i = 0; i < 10_000; i++) peers.observe(reading([sighting(`flood${i}`)]), "10.1.0.1", i)
    expect(peers.size).toBe(8)
    expect(peers.overflowCount).toBe(10_000 - 8)
    // a known peer is still refreshed when full
    expect(peers.observe(reading([sighting("flood0", { port: 1234 })]), "10.1.0.1", 0)).toHaveLength(1)
  })
})
