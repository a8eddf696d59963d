import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { readResponse } from "../../../src/discovery/mdns-response.js"

const SERVICE = "_lanvault._tcp.local"
const fqdn = (instance: string) => `${instance}.${SERVICE}`

function advert(instance: string, ttl = 120, address = "10.1.0.1") {
  const host = `lv-${instance}.local`
  return [
    { name: SERVICE, type: "PTR", ttl: ttl === 0 ? 0 : 28800, data: fqdn(instance) },
    { name: fqdn(instance), type: "SRV", ttl, data: { priority: 0, weight: 0, port: 47110, target: host } },
    { name: fqdn(instance), type: "TXT", ttl, data: [Buffer.from("v=1"), Buffer.from("n=x")] },
    { name: host, type: "A", ttl, data: address },
  ]
}

describe("readResponse", () => {
  it("reads an announcement into one sighting with port, target, TXT and addresses", () => {
    const reading = readResponse({ answers: advert("abc"), additionals: [] })
    expect(reading.goodbyes).toEqual([])
    expect(reading.sightings).toEqual([
      { instance: "abc", ttlSeconds: 120, port: 47110, target: "lv-abc.local", txt: [Buffer.from("v=1"), Buffer.from("n=x")], addresses: ["10.1.0.1"] },
    ])
  })

  it("reads an answer to a PTR query, with SRV, TXT and A among the additionals", () => {
    const [ptr, ...rest] = advert("abc")
    const reading = readResponse({ answers: [ptr], additionals: rest })
    expect(reading.sightings.map((s) => [s.instance, s.addresses])).toEqual([["abc", ["10.1.0.1"]]])
  })

  it("reads TTL 0 on the PTR or the SRV as a goodbye (RFC 6762 §10.1)", () => {
    expect(readResponse({ answers: advert("abc", 0) }).goodbyes).toEqual(["abc"])
    expect(readResponse({ answers: advert("abc", 0) }).sightings).toEqual([])
    const srvOnly = advert("def", 0).filter((rr) => rr.type === "SRV")
    expect(readResponse({ answers: srvOnly }).goodbyes).toEqual(["def"])
  })

  it("compares names case-insensitively and ignores a trailing dot", () => {
    const records = advert("abc").map((rr) => ({ ...rr, name: `${rr.name.toUpperCase()}.` }))
    expect(readResponse({ answers: records }).sightings.map((s) => s.instance)).toEqual(["abc"])
  })

  it("ignores other services, a SRV with a bad port, and A records that are not addresses", () => {
    const records = [
      ...advert("abc").map((rr) => ({ ...rr, name: rr.name.replace("_lanvault", "_other") })),
      { name: fqdn("bad"), type: "SRV", ttl: 120, data: { port: 0, target: "x.local" } },
      { name: fqdn("ok"), type: "SRV", ttl: 120, data: { port: 1, target: "h.local" } },
      { name: "h.local", type: "A", ttl: 120, data: "not an address" },
      { name: "h.local", type: "A", ttl: 120, data: "fe80::1" },
      { name: "h.local", type: "AAAA", ttl: 120, data: "fd00::1" },
    ]
    const reading = readResponse({ answers: records })
    expect(reading.sightings.map((s) => [s.instance, s.addresses])).toEqual([["ok", ["fd00::1"]]])
  })

  it("keeps no more than 16 addresses for one host", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ name: "lv-abc.local", type: "A", ttl: 120, data: `10.0.0.${i + 1}` }))
    expect(readResponse({ answers: [...advert("abc"), ...many] }).sightings[0].addresses).toHaveLength(16)
  })

  it("never throws on random packets", () => {
    const name = fc.oneof(fc.constantFrom(SERVICE, fqdn("abc"), "lv-abc.local", "x"), fc.string({ maxLength: 80 }))
    const record = fc.record({
      name: fc.oneof(name, fc.anything()),
      type: fc.oneof(fc.constantFrom("PTR", "SRV", "TXT", "A", "AAAA"), fc.anything()),
      ttl: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.anything()),
      data: fc.oneof(name, fc.record({ port: fc.anything(), target: fc.anything() }), fc.array(fc.uint8Array({ maxLength: 20 })), fc.anything()),
    })
    const packet = fc.oneof(fc.record({ answers: fc.array(fc.oneof(record, fc.anything()), { maxLength: 20 }), additionals: fc.anything() }), fc.anything())
    fc.assert(
      fc.property(packet, (p) => {
        expect(() => readResponse(p)).not.toThrow()
      }),
      { numRuns: 3_000 },
    )
  })
})
