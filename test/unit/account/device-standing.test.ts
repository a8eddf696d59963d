import { describe, expect, it } from "vitest"
import { assertInGoodStanding, markStanding, META, readStanding } from "../../../src/account/index.js"
import { formatEvent } from "../../../src/cli/watch-command.js"
import { MemoryStore } from "../../../src/store/memory-store.js"

function device(deviceId = "a".repeat(32)): MemoryStore {
  const store = new MemoryStore()
  store.setIdentity({ deviceId, signSecret: new Uint8Array(32), dhSecret: new Uint8Array(32) })
  store.setMeta(META.generation, "1")
  store.putTrust({ deviceId, name: "me", signPublic: new Uint8Array(32), dhPublic: new Uint8Array(32), addedAt: 1 })
  return store
}

describe("a device's standing in its account (issue 11 item 7)", () => {
  it("is good until a trusted device says otherwise; then every write is refused with a stable code and the next command", () => {
    const store = device()
    expect(readStanding(store)).toBeUndefined()
    expect(() => assertInGoodStanding(store)).not.toThrow()
    expect(markStanding(store, "revoked", "b".repeat(32), 1_000)).toBe(true)
    expect(markStanding(store, "revoked", "b".repeat(32), 2_000)).toBe(false)
    expect(readStanding(store)).toMatchObject({ state: "revoked", since: 1_000, by: "b".repeat(32) })
    expect(() => assertInGoodStanding(store)).toThrow(expect.objectContaining({ code: "REVOKED", data: expect.objectContaining({ next: expect.stringMatching(/lanvault join/) }) }))
    markStanding(store, "account reset")
    expect(() => assertInGoodStanding(store)).toThrow(expect.objectContaining({ code: "ACCOUNT_RESET" }))
  })

  it("reads a revocation synced into its own trust entry", () => {
    const store = device()
    store.putTrust({ ...store.getTrust("a".repeat(32))!, revokedAt: 5 })
    expect(readStanding(store)?.state).toBe("revoked")
  })

  it("no longer counts after a reset here (new generation) or a join (new identity)", () => {
    const store = device()
    markStanding(store, "account reset")
    store.setMeta(META.generation, "2")
    expect(readStanding(store)).toBeUndefined()
    markStanding(store, "revoked")
    store.setIdentity({ deviceId: "c".repeat(32), signSecret: new Uint8Array(32), dhSecret: new Uint8Array(32) })
    expect(readStanding(store)).toBeUndefined()
  })

  it("shows in `watch` in plain words with the command to run next", () => {
    const store = device()
    markStanding(store, "revoked")
    const line = formatEvent({ type: "device.standing", ...readStanding(store)! }, new Map(), new Date())
    expect(line).toMatch(/device\.standing\s+REVOKED: this device was revoked/)
    expect(line).toMatch(/Next: .*lanvault join/)
  })
})
