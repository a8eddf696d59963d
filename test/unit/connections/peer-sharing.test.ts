import { describe, expect, it } from "vitest"
import { PEERS_NOTICE, PeerSharing, peerOverview, type PeerStatus } from "../../../src/connections/index.js"
import { silentLogger } from "../../../src/log.js"
import type { TrustEntry } from "../../../src/store/index.js"

const SELF = "a".repeat(32)
const FRIEND = "b".repeat(32)
const REVOKED = "c".repeat(32)

function trust(deviceId: string, revokedAt?: number): TrustEntry {
  return { deviceId, name: deviceId.slice(0, 1), signPublic: new Uint8Array(32), dhPublic: new Uint8Array(32), addedAt: 1, ...(revokedAt ? { revokedAt } : {}) } as TrustEntry
}

function sharing(shareable: Array<{ address: string; deviceId?: string }> = []) {
  const sent: Array<{ target: string; kind: string; body: unknown }> = []
  const learnt: string[][] = []
  const book = new Map([FRIEND, REVOKED].map((id) => [id, trust(id, id === REVOKED ? 5 : undefined)]))
  const peers = new PeerSharing({
    shareable: () => shareable,
    learn: (addresses) => learnt.push(addresses),
    sendControl: (target, kind, body) => sent.push({ target, kind, body: JSON.parse(new TextDecoder().decode(body)) }),
    getTrust: (deviceId) => book.get(deviceId),
    selfId: SELF,
    logger: silentLogger(),
  })
  return { peers, sent, learnt }
}

const notice = (list: unknown) => new TextEncoder().encode(JSON.stringify(list))

describe("PeerSharing", () => {
  it("sends the addresses added by hand as a peers notice, and nothing when there are none", () => {
    const empty = sharing()
    empty.peers.share()
    expect(empty.sent).toEqual([])
    const some = sharing([{ address: "192.168.1.20:47110", deviceId: FRIEND }])
    some.peers.share(FRIEND)
    expect(some.sent).toEqual([{ target: FRIEND, kind: PEERS_NOTICE, body: [{ address: "192.168.1.20:47110", deviceId: FRIEND }] }])
  })

  it("learns shared addresses except this device's own and a revoked device's", () => {
    const { peers, learnt } = sharing()
    peers.learn(notice([
      { address: "10.0.0.2:1", deviceId: FRIEND },
      { address: "10.0.0.3:1", deviceId: SELF },
      { address: "10.0.0.4:1", deviceId: REVOKED },
      { address: 7 },
    ]))
    expect(learnt).toEqual([["10.0.0.2:1"]])
  })

  it("ignores a malformed notice without throwing", () => {
    const { peers, learnt } = sharing()
    expect(() => peers.learn(new TextEncoder().encode("{not json"))).not.toThrow()
    peers.learn(notice({ address: "10.0.0.2:1" }))
    expect(learnt).toEqual([])
  })
})

describe("peerOverview", () => {
  it("shows a linked device once, with how it was dialled, then the dialers not linked with their last error", () => {
    const dialers: PeerStatus[] = [
      { address: "10.0.0.2:1", how: "mdns", state: "connected", deviceId: FRIEND },
      { address: "10.0.0.9:1", how: "manual", state: "waiting", lastError: "refused" },
    ]
    const sessions = [
      { remoteDeviceId: FRIEND, address: "10.0.0.2:5555", state: "idle" },
      { remoteDeviceId: REVOKED, address: "10.0.0.4:6666", state: "syncing" },
    ]
    const names = new Map([[FRIEND, "laptop"]])
    expect(peerOverview(sessions, dialers, (id) => names.get(id))).toEqual([
      { deviceId: FRIEND, name: "laptop", address: "10.0.0.2:1", how: "mdns", state: "idle" },
      { deviceId: REVOKED, name: undefined, address: "10.0.0.4:6666", how: "incoming", state: "syncing" },
      { deviceId: undefined, name: undefined, address: "10.0.0.9:1", how: "manual", state: "waiting: refused" },
    ])
  })
})
