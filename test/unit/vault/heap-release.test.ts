import { describe, expect, it } from "vitest"
import * as Automerge from "../../../src/merge/automerge.js"
import { holdAutomerge, loadUnlockedVault, releaseAfterLock } from "../../../src/vault/heap-release.js"

describe("Automerge held by the sessions that use it", () => {
  it("lets go of the instance only when the last session ends, and a new session gets a fresh one", async () => {
    await loadUnlockedVault()
    holdAutomerge()
    holdAutomerge()
    releaseAfterLock()
    // The other session still works: new documents, on the same instance.
    expect(Automerge.isAutomergeReleased()).toBe(false)
    expect(Automerge.load<{ a: number }>(Automerge.save(Automerge.from({ a: 1 }))).a).toBe(1)
    releaseAfterLock()
    expect(Automerge.isAutomergeReleased()).toBe(true)
    expect(() => Automerge.init()).toThrow(expect.objectContaining({ code: "LOCKED" }))
    holdAutomerge()
    expect(Automerge.isAutomergeReleased()).toBe(false)
    expect(Automerge.from({ b: 2 }).b).toBe(2)
    releaseAfterLock()
  })
})
