import Bonjour from "bonjour-service"
import { hostname } from "node:os"
import { describe, expect, it } from "vitest"
import { serviceConfig } from "../../../src/discovery/bonjour-stack.js"
import { discoveryKeys, encodeAdvertTxt } from "../../../src/discovery/txt-record.js"
import { randomBytes } from "../../../src/crypto/bytes.js"

// Builds bonjour-service's records for our config without opening any socket.
describe("serviceConfig over bonjour-service", () => {
  const advert = {
    instance: "0f1e2d3c4b5a6978",
    host: "lv-a1b2c3d4e5f6.local",
    port: 47110,
    txt: encodeAdvertTxt(discoveryKeys(randomBytes(16), randomBytes(16))),
    advertiseAddress: () => true,
  }
  const service = new Bonjour.Service(serviceConfig(advert), () => undefined, () => undefined)
  const records = service.records()

  it("publishes _lanvault._tcp under the random instance, with the random host as SRV target", () => {
    expect(service.fqdn).toBe("0f1e2d3c4b5a6978._lanvault._tcp.local")
    const srv = records.find((rr) => rr.type === "SRV")!
    expect(srv.data).toMatchObject({ port: 47110, target: "lv-a1b2c3d4e5f6.local" })
    expect(records.find((rr) => rr.type === "PTR" && rr.name === "_lanvault._tcp.local")?.data).toBe(service.fqdn)
  })

  it("answers A/AAAA for the random host (bonjour-service names them after `host`), never for the machine's name", () => {
    for (const rr of records.filter((r) => r.type === "A" || r.type === "AAAA")) expect(rr.name).toBe("lv-a1b2c3d4e5f6.local")
    const names = JSON.stringify(records.map((rr) => [rr.name, rr.type === "SRV" ? rr.data.target : rr.type === "PTR" ? rr.data : ""]))
    expect(names.toLowerCase()).not.toContain(`"${hostname().toLowerCase()}`)
    expect(names.toLowerCase()).not.toContain(`${hostname().toLowerCase()}.local`)
  })

  it("carries exactly the TXT keys v, n, a, k", () => {
    const txt = records.find((rr) => rr.type === "TXT")!.data as Buffer[]
    expect(txt.map((b) => b.toString().split("=")[0]).sort()).toEqual(["a", "k", "n", "v"])
  })
})
