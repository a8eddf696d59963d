import * as Automerge from "../../../src/merge/automerge.js"
import { describe, expect, it } from "vitest"
import { forgetLastPatch } from "../../../src/merge/bucket-changes.js"

const AUTOMERGE_STATE = Symbol.for("_am_meta")

type Doc = Automerge.Doc<Record<string, { title: string }>>
const stateOf = (doc: Doc) => (doc as unknown as Record<symbol, { mostRecentPatch?: unknown }>)[AUTOMERGE_STATE]

describe("forgetLastPatch", () => {
  it("drops the patch Automerge keeps on the objects a change made, and the document works on", () => {
    const before = Automerge.init<Record<string, { title: string }>>()
    const doc = Automerge.change(before, (root) => {
      root.a = { title: "one" }
    })
    // Where Automerge 3 keeps it: if this fails after an upgrade, forgetLastPatch no longer frees anything.
    expect(stateOf(doc).mostRecentPatch).toBeDefined()
    expect(forgetLastPatch(doc)).toBe(doc)
    expect(stateOf(doc).mostRecentPatch).toBeUndefined()
    const next = Automerge.change(doc, (root) => {
      root.b = { title: "two" }
    })
    expect(Object.keys(next).sort()).toEqual(["a", "b"])
    expect(Automerge.diff(next, Automerge.getHeads(before), Automerge.getHeads(next)).length).toBeGreaterThan(0)
  })
})
