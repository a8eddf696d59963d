import { describe, expect, it } from "vitest"
import { connectionWord, foundByWord } from "../../../src/cli/connection-words.js"
import { joinHint, lanAddresses } from "../../../src/cli/pair-hint.js"

describe("one vocabulary for connections", () => {
  it("says the same word for a session, a dialler and a device in the same state", () => {
    expect([connectionWord("idle"), connectionWord("connected"), connectionWord("syncing")]).toEqual(["connected", "connected", "connected, syncing"])
    expect([connectionWord("disconnected"), connectionWord(undefined), connectionWord("stopped")]).toEqual(["not connected", "not connected", "not dialled"])
    expect(connectionWord("waiting: ECONNREFUSED")).toBe("retrying (ECONNREFUSED)")
    expect(connectionWord("refused: account was reset")).toBe("refused (account was reset)")
    expect(["mdns", "manual", "static", "known", "shared", "incoming"].map(foundByWord)).toEqual(["mDNS", "peer add", "daemon --peer", "remembered", "shared by a device", "it connected here"])
  })
})

describe("pair's join hint", () => {
  const interfaces = {
    lo: [{ address: "127.0.0.1", family: "IPv4", internal: true, netmask: "255.0.0.0", mac: "", cidr: null }],
    eth0: [
      { address: "192.168.1.20", family: "IPv4", internal: false, netmask: "255.255.255.0", mac: "", cidr: null },
      { address: "fe80::1", family: "IPv6", internal: false, netmask: "ffff::", mac: "", cidr: null, scopeid: 2 },
      { address: "fd00::20", family: "IPv6", internal: false, netmask: "ffff::", mac: "", cidr: null, scopeid: 0 },
    ],
  } as unknown as Parameters<typeof lanAddresses>[0]

  it("names this machine's real LAN addresses and the daemon's port, and says mDNS needs none", () => {
    expect(lanAddresses(interfaces)).toEqual(["192.168.1.20", "[fd00::20]"])
    const text = joinHint(47110, interfaces).join("\n")
    expect(text).toContain("lanvault join --account-key-stdin` (it finds this device by mDNS: no address needed)")
    expect(text).toContain("lanvault join --peer 192.168.1.20:47110 --account-key-stdin")
    expect(text).toContain("[fd00::20]:47110")
    expect(text).not.toContain("THIS-HOST")
    expect(joinHint(47110, { lo: interfaces.lo }).join("\n")).toContain("none found")
  })
})
