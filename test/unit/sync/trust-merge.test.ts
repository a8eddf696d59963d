import { describe, expect, it } from "vitest"
import { deriveTrustKey, randomBytes } from "../../../src/crypto/index.js"
import { signAdd, signRename, signRevoke, TrustVerifier } from "../../../src/store/trust-proof.js"
import type { TrustEntry } from "../../../src/store/vault-store.js"
import type { TrustInfo } from "../../../src/sync/messages.js"
import { mergeTrust, newerName } from "../../../src/sync/trust-merge.js"

const SELF = "1".repeat(32)
const OTHER = "2".repeat(32)
const NEW = "3".repeat(32)
const ACCOUNT_ID = randomBytes(16)
const TRUST = deriveTrustKey(randomBytes(32))
const checks = new TrustVerifier(ACCOUNT_ID, () => TRUST.publicKey)

/** A trust entry whose addition the trust key signed (as an unlocked device adds one). */
function entry(deviceId: string, name: string, extra: Partial<TrustEntry> = {}): TrustEntry {
  const base = { deviceId, name, signPublic: new Uint8Array(32).fill(deviceId.charCodeAt(0)), dhPublic: new Uint8Array(32).fill(7), addedAt: 10 }
  return { ...base, addSig: signAdd(TRUST.secret, ACCOUNT_ID, base), ...extra }
}

/** `e` revoked at `at` with cutoff `lastSeq`, signed by the trust key. */
function revoked(e: TrustEntry, at: number, lastSeq = 0): TrustEntry {
  return { ...e, revokedAt: at, lastSeq, revokeSig: signRevoke(TRUST.secret, ACCOUNT_ID, e.deviceId, at, lastSeq) }
}

/** `e` renamed to `name` at `at`, signed by the trust key (as an unlocked device renames). */
function renamed(e: TrustEntry, name: string, at: number): TrustEntry {
  return { ...e, name, renamedAt: at, renameSig: signRename(TRUST.secret, ACCOUNT_ID, e.deviceId, name, at) }
}

const held = [entry(SELF, "desktop"), entry(OTHER, "laptop")]
const notice = { selfId: SELF, checks }
const hello = notice

describe("trust merge", () => {
  it("adds devices the peer knows and we do not, when the trust key signed their addition", () => {
    const result = mergeTrust(held, [entry(NEW, "tablet")], hello)
    expect(result.membershipChanged).toBe(true)
    expect(result.updates).toEqual([entry(NEW, "tablet")])
  })

  it("ignores a device added without the trust key's signature, or with another key's (a locked device's hello)", () => {
    const other = deriveTrustKey(randomBytes(32))
    const unsigned = { ...entry(NEW, "hidden"), addSig: undefined }
    const forged = { ...entry(NEW, "hidden"), addSig: signAdd(other.secret, ACCOUNT_ID, entry(NEW, "hidden")) }
    for (const info of [unsigned, forged]) {
      const result = mergeTrust(held, [info], hello)
      expect(result.updates).toEqual([])
      expect(result.unauthenticated).toEqual([NEW])
    }
    const locked = new TrustVerifier(ACCOUNT_ID, () => undefined)
    expect(mergeTrust(held, [entry(NEW, "tablet")], { ...hello, checks: locked }).updates).toEqual([])
  })

  it("changes nothing for a list equal to ours", () => {
    expect(mergeTrust(held, held, notice)).toEqual({ updates: [], membershipChanged: false, keyConflicts: [], unauthenticated: [], selfRevoked: false })
  })

  it("a revocation is sticky: the earliest signed revokedAt wins and a peer never un-revokes", () => {
    const ours = [entry(SELF, "desktop"), revoked(entry(OTHER, "laptop"), 200)]
    const earlier = mergeTrust(ours, [revoked(entry(OTHER, "laptop"), 100, 4)], notice)
    expect(earlier.updates).toEqual([revoked(entry(OTHER, "laptop"), 100, 4)])
    expect(earlier.membershipChanged).toBe(true)
    expect(mergeTrust(ours, [revoked(entry(OTHER, "laptop"), 300)], notice).updates).toEqual([])
    expect(mergeTrust(ours, [entry(OTHER, "laptop")], notice).updates).toEqual([])
  })

  it("a peer's signed revocation of a device we trust is adopted; an unsigned one is ignored", () => {
    const result = mergeTrust(held, [revoked(entry(OTHER, "laptop"), 50)], hello)
    expect(result.updates).toEqual([revoked(entry(OTHER, "laptop"), 50)])
    expect(result.membershipChanged).toBe(true)
    const unsigned = mergeTrust(held, [entry(OTHER, "laptop", { revokedAt: 50 })], hello)
    expect(unsigned.updates).toEqual([])
    expect(unsigned.unauthenticated).toEqual([OTHER])
    const tampered = { ...revoked(entry(OTHER, "laptop"), 50, 3), lastSeq: 1 }
    expect(mergeTrust(held, [tampered], hello).updates).toEqual([])
  })

  it("a revocation of this device itself is never stored, only reported", () => {
    const result = mergeTrust(held, [revoked(entry(SELF, "desktop"), 50)], notice)
    expect(result.updates).toEqual([])
    expect(result.selfRevoked).toBe(true)
  })

  it("a name without a rename time (a peer's pairing-time name) never replaces ours, so devices that disagree do not swap names", () => {
    expect(mergeTrust(held, [entry(SELF, "hacked"), entry(OTHER, "work laptop")], notice).updates).toEqual([])
  })

  it("the newest signed rename wins, of this device as of others, and is relayed", () => {
    const result = mergeTrust(held, [renamed(entry(SELF, "x"), "desk", 500), renamed(entry(OTHER, "x"), "work laptop", 400)], hello)
    expect(result.updates).toEqual([renamed(entry(SELF, "x"), "desk", 500), renamed(entry(OTHER, "x"), "work laptop", 400)])
    expect(result.membershipChanged).toBe(true)
    expect(result.unauthenticated).toEqual([])
    const ours = [entry(SELF, "desktop"), renamed(entry(OTHER, "x"), "laptop", 600)]
    expect(mergeTrust(ours, [renamed(entry(OTHER, "x"), "work laptop", 400)], notice).updates).toEqual([])
    expect(mergeTrust(ours, [renamed(entry(OTHER, "x"), "laptop", 600)], notice).updates).toEqual([])
  })

  it("ignores a rename without the trust key's signature, with another key's, or whose signature covers another name or time (a locked device's hello)", () => {
    const other = deriveTrustKey(randomBytes(32))
    const forgedRenames: TrustInfo[] = [
      entry(OTHER, "thief", { renamedAt: 900 }),
      entry(OTHER, "thief", { renamedAt: 900, renameSig: signRename(other.secret, ACCOUNT_ID, OTHER, "thief", 900) }),
      { ...renamed(entry(OTHER, "x"), "work laptop", 900), name: "thief" },
      { ...renamed(entry(OTHER, "x"), "thief", 800), renamedAt: 900 },
      entry(OTHER, "thief", { renamedAt: 900, renameSig: signRename(TRUST.secret, ACCOUNT_ID, SELF, "thief", 900) }),
    ]
    for (const info of forgedRenames) {
      const result = mergeTrust(held, [info], hello)
      expect(result.updates).toEqual([])
      expect(result.membershipChanged).toBe(false)
      expect(result.unauthenticated).toEqual([OTHER])
    }
    // Of this device too, and over a signed rename already held.
    const ours = [renamed(entry(SELF, "x"), "desk", 500), entry(OTHER, "laptop")]
    expect(mergeTrust(ours, [entry(SELF, "thief", { renamedAt: 501 })], notice).updates).toEqual([])
    // A new device's unsigned rename is dropped: it is added with its name but no rename time to win with.
    const added = mergeTrust(held, [entry(NEW, "tablet", { renamedAt: 900 })], hello)
    expect(added.updates).toEqual([entry(NEW, "tablet")])
    const signedNew = mergeTrust(held, [renamed(entry(NEW, "x"), "tablet", 900)], hello)
    expect(signedNew.updates).toEqual([renamed(entry(NEW, "x"), "tablet", 900)])
  })

  it("two renames at the same time settle on the same name on both sides", () => {
    const a = { name: "alpha", renamedAt: 7 }
    const b = { name: "beta", renamedAt: 7 }
    expect(newerName(a, b)).toBe(true)
    expect(newerName(b, a)).toBe(false)
    expect(newerName({ name: "x" }, { name: "y" })).toBe(false)
    expect(newerName({ name: "x" }, { name: "y", renamedAt: 1 })).toBe(true)
  })

  it("a rename does not carry a revocation or addition the peer could not sign", () => {
    const result = mergeTrust(held, [{ ...renamed(entry(OTHER, "x"), "renamed", 9), revokedAt: 5 }], notice)
    expect(result.unauthenticated).toEqual([OTHER])
    expect(result.updates).toEqual([renamed(entry(OTHER, "x"), "renamed", 9)])
  })

  it("keeps our keys when a peer describes a known device with other keys", () => {
    const forged: TrustInfo = { ...revoked(entry(OTHER, "laptop"), 1), signPublic: new Uint8Array(32).fill(0xee) }
    const result = mergeTrust(held, [forged], notice)
    expect(result.keyConflicts).toEqual([OTHER])
    expect(result.updates).toEqual([])
  })
})
