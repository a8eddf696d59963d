import { describe, expect, it } from "vitest"
import type { TrustEntry } from "../../../src/store/vault-store.js"
import type { TrustInfo } from "../../../src/sync/messages.js"
import { mergeTrust } from "../../../src/sync/trust-merge.js"

const SELF = "1".repeat(32)
const OTHER = "2".repeat(32)
const NEW = "3".repeat(32)

function entry(deviceId: string, name: string, extra: Partial<TrustEntry> = {}): TrustEntry {
  return { deviceId, name, signPublic: new Uint8Array(32).fill(deviceId.charCodeAt(0)), dhPublic: new Uint8Array(32).fill(7), addedAt: 10, ...extra }
}

const held = [entry(SELF, "desktop"), entry(OTHER, "laptop")]
const notice = { selfId: SELF, adoptNames: true }
const hello = { selfId: SELF, adoptNames: false }

describe("trust merge", () => {
  it("adds devices the peer knows and we do not", () => {
    const result = mergeTrust(held, [entry(NEW, "tablet")], hello)
    expect(result.membershipChanged).toBe(true)
    expect(result.updates).toEqual([entry(NEW, "tablet")])
  })

  it("changes nothing for a list equal to ours", () => {
    expect(mergeTrust(held, held, notice)).toEqual({ updates: [], membershipChanged: false, keyConflicts: [] })
  })

  it("a revocation is sticky: the earliest revokedAt wins and a peer never un-revokes", () => {
    const ours = [entry(SELF, "desktop"), entry(OTHER, "laptop", { revokedAt: 200 })]
    const earlier = mergeTrust(ours, [entry(OTHER, "laptop", { revokedAt: 100 })], notice)
    expect(earlier.updates).toEqual([entry(OTHER, "laptop", { revokedAt: 100 })])
    expect(earlier.membershipChanged).toBe(true)
    expect(mergeTrust(ours, [entry(OTHER, "laptop", { revokedAt: 300 })], notice).updates).toEqual([])
    expect(mergeTrust(ours, [entry(OTHER, "laptop")], notice).updates).toEqual([])
  })

  it("a peer's revocation of a device we trust is adopted", () => {
    const result = mergeTrust(held, [entry(OTHER, "laptop", { revokedAt: 50 })], hello)
    expect(result.updates).toEqual([entry(OTHER, "laptop", { revokedAt: 50 })])
    expect(result.membershipChanged).toBe(true)
  })

  it("a trust notice renames other devices but never this one", () => {
    const result = mergeTrust(held, [entry(SELF, "hacked"), entry(OTHER, "work laptop")], notice)
    expect(result.updates).toEqual([entry(OTHER, "work laptop")])
    expect(result.membershipChanged).toBe(false)
  })

  it("a hello does not rename known devices, so two devices that disagree do not swap names", () => {
    expect(mergeTrust(held, [entry(OTHER, "work laptop")], hello).updates).toEqual([])
  })

  it("keeps our keys when a peer describes a known device with other keys", () => {
    const forged: TrustInfo = { ...entry(OTHER, "laptop", { revokedAt: 1 }), signPublic: new Uint8Array(32).fill(0xee) }
    const result = mergeTrust(held, [forged], notice)
    expect(result.keyConflicts).toEqual([OTHER])
    expect(result.updates).toEqual([])
  })
})
