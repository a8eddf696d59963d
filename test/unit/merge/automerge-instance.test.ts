import { afterEach, describe, expect, it } from "vitest"
import * as Automerge from "../../../src/merge/automerge.js"
import { isAutomergeReleased, releaseAutomerge, renewAutomerge } from "../../../src/merge/automerge.js"

type Doc = Automerge.Doc<Record<string, { title: string }>>

describe("an Automerge wasm instance per unlocked session", () => {
  afterEach(() => {
    if (isAutomergeReleased()) renewAutomerge()
  })

  it("refuses new documents with LOCKED once released, and works again with a fresh instance", () => {
    releaseAutomerge()
    expect(isAutomergeReleased()).toBe(true)
    expect(() => Automerge.init()).toThrow(expect.objectContaining({ code: "LOCKED" }))
    expect(() => Automerge.load(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: "LOCKED" }))
    renewAutomerge()
    expect(isAutomergeReleased()).toBe(false)
    const doc = Automerge.change(Automerge.init<Record<string, { title: string }>>(), (root) => {
      root.a = { title: "one" }
    })
    expect(Automerge.load<Record<string, { title: string }>>(Automerge.save(doc)).a.title).toBe("one")
  })

  it("keeps documents made before a renewal working on their own instance, and their bytes load in the new one", () => {
    let before: Doc = Automerge.change(Automerge.init(), (root) => {
      root.a = { title: "old instance" }
    })
    renewAutomerge()
    before = Automerge.change(before, (root) => {
      root.b = { title: "still editable" }
    })
    const after = Automerge.load<Record<string, { title: string }>>(Automerge.save(before))
    expect(Object.keys(after).sort()).toEqual(["a", "b"])
    expect(after.b.title).toBe("still editable")
  })
})
