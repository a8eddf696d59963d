import { describe, expect, it } from "vitest"
import { parseLanPeerAddress, parsePeerAddress } from "../../../src/connections/peer-address.js"

describe("peer addresses (issue 11 item 13)", () => {
  it("accepts LAN addresses and sane host names, normalised", () => {
    expect(parseLanPeerAddress("192.168.1.20:47110").normal).toBe("192.168.1.20:47110")
    expect(parseLanPeerAddress("10.0.0.7").normal).toBe("10.0.0.7:47110")
    expect(parseLanPeerAddress("[fe80::1]:5000").normal).toBe("[fe80::1]:5000")
    expect(parseLanPeerAddress("laptop.local:47110").normal).toBe("laptop.local:47110")
    expect(parseLanPeerAddress("nas-2:8000").normal).toBe("nas-2:8000")
  })

  it("refuses a public address such as 8.8.8.8:1, unless the user declared its network", () => {
    for (const address of ["8.8.8.8:1", "1.1.1.1", "[2001:4860::8888]:47110", "[::ffff:8.8.8.8]:47110"]) {
      expect(() => parseLanPeerAddress(address), address).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    }
    expect(parseLanPeerAddress("100.64.1.2:47110", ["100.64.0.0/10"]).normal).toBe("100.64.1.2:47110")
  })

  it("refuses a 5,000-character host name, and names that are not host names", () => {
    const bad = ["a".repeat(5_000), `${"a".repeat(64)}.local`, `${"abc.".repeat(70)}x`, "bad_name", "-lead.local", "trail-.local", "a..b", "[laptop]:1", "host name", "ho$t", "", ":47110", "host:0", "host:65536"]
    for (const address of bad) {
      expect(() => parsePeerAddress(address), address.slice(0, 40)).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    }
  })

  it("quotes at most a little of a long address in its error", () => {
    let message = ""
    try {
      parsePeerAddress("x".repeat(5_000))
    } catch (error) {
      message = (error as Error).message
    }
    expect(message.length).toBeGreaterThan(0)
    expect(message.length).toBeLessThan(200)
  })
})
