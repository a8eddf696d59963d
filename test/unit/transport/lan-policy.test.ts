import { describe, expect, it } from "vitest"
import { isLanAddress, parseCidr } from "../../../src/transport/lan-policy.js"

const LAN = [
  "127.0.0.1",
  "127.255.255.254",
  "10.0.0.1",
  "10.255.255.255",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.0.1",
  "192.168.255.255",
  "169.254.0.1",
  "169.254.255.255",
  "::1",
  "0:0:0:0:0:0:0:1",
  "fe80::1",
  "fe80::1%eth0",
  "FE80::ABCD:1234",
  "febf:ffff::1",
  "fc00::1",
  "fd12:3456:789a::1",
  "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  "::ffff:127.0.0.1",
  "::ffff:10.1.2.3",
  "::ffff:192.168.1.20",
  "::ffff:c0a8:0114",
  "0:0:0:0:0:ffff:172.20.0.5",
  "::ffff:169.254.10.10",
]

const NOT_LAN = [
  "8.8.8.8",
  "1.1.1.1",
  "9.255.255.255",
  "11.0.0.0",
  "172.15.255.255",
  "172.32.0.0",
  "192.167.255.255",
  "192.169.0.0",
  "169.253.255.255",
  "169.255.0.0",
  "100.64.0.1",
  "0.0.0.0",
  "255.255.255.255",
  "224.0.0.251",
  "128.0.0.1",
  "::",
  "::2",
  "2001:db8::1",
  "2606:4700::1111",
  "fec0::1",
  "fe7f::1",
  "fb00::1",
  "fe00::1",
  "ff02::fb",
  "::ffff:8.8.8.8",
  "::ffff:0808:0808",
  "::127.0.0.1",
  "64:ff9b::10.0.0.1",
]

const MALFORMED = [
  "",
  "localhost",
  "10.0.0",
  "10.0.0.1.5",
  "10.0.0.256",
  "010.0.0.1",
  "10.0.0.-1",
  " 10.0.0.1",
  "10.0.0.1/8",
  "1::2::3",
  ":::",
  "fe80::1%",
  "fe80:::1",
  "12345::1",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7",
  "1.2.3.4::",
  "::ffff:10.0.0.1.1",
  "fe80::g",
]

describe("isLanAddress", () => {
  it.each(LAN)("%s is on the LAN", (ip) => {
    expect(isLanAddress(ip)).toBe(true)
  })

  it.each(NOT_LAN)("%s is not on the LAN", (ip) => {
    expect(isLanAddress(ip)).toBe(false)
  })

  it.each(MALFORMED)("malformed %j is not on the LAN", (ip) => {
    expect(isLanAddress(ip)).toBe(false)
  })

  it("accepts a non-LAN address inside a user CIDR, and only there", () => {
    expect(isLanAddress("100.64.1.2", ["100.64.0.0/10"])).toBe(true)
    expect(isLanAddress("100.128.0.1", ["100.64.0.0/10"])).toBe(false)
    expect(isLanAddress("2001:db8::5", ["2001:db8::/32"])).toBe(true)
    expect(isLanAddress("2001:db9::5", ["2001:db8::/32"])).toBe(false)
    expect(isLanAddress("203.0.113.7", ["203.0.113.7"])).toBe(true)
    expect(isLanAddress("203.0.113.8", ["203.0.113.7"])).toBe(false)
  })

  it("matches an IPv4-mapped IPv6 address against an IPv4 user CIDR", () => {
    expect(isLanAddress("::ffff:203.0.113.9", ["203.0.113.0/24"])).toBe(true)
  })

  it("does not let an IPv4 CIDR match an IPv6 address or the reverse", () => {
    expect(isLanAddress("2001:db8::1", ["0.0.0.0/0"])).toBe(false)
    expect(isLanAddress("8.8.8.8", ["::/0"])).toBe(false)
    expect(isLanAddress("8.8.8.8", ["0.0.0.0/0"])).toBe(true)
  })

  it("refuses a malformed user CIDR with INVALID_PARAMS", () => {
    for (const bad of ["10.0.0.0/33", "fd00::/129", "10.0.0.0/", "nope/8", "10.0.0.0/8/8", "10.0.0.0/-1"]) {
      expect(() => isLanAddress("10.0.0.1", [bad])).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    }
  })
})

describe("parseCidr", () => {
  it("reads the family and prefix; a bare address is a single-address block", () => {
    expect(parseCidr("10.1.2.3/8")).toEqual({ family: 4, address: "10.1.2.3", prefixLength: 8 })
    expect(parseCidr("fd00::1/8")).toEqual({ family: 6, address: "fd00::1", prefixLength: 8 })
    expect(parseCidr("192.168.1.1").prefixLength).toBe(32)
    expect(parseCidr("2001:db8::1").prefixLength).toBe(128)
  })

  it("a block written with host bits set covers its whole network", () => {
    expect(isLanAddress("100.127.0.1", ["100.64.9.9/10"])).toBe(true)
    expect(isLanAddress("100.128.0.1", ["100.64.9.9/10"])).toBe(false)
    expect(isLanAddress("2001:db8:ffff::1", ["2001:db8::77/32"])).toBe(true)
  })
})
