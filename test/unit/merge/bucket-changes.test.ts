import * as Automerge from "../../../src/merge/automerge.js"
import { describe, expect, it } from "vitest"
import { forgetLastPatch, mergeIntoBucket } from "../../../src/merge/bucket-changes.js"
import type { BucketRoot } from "../../../src/merge/stored-record.js"

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

describe("mergeIntoBucket: whether a merge was straight (no concurrent edit, so the view was patched, not rebuilt)", () => {
  const A = "a".repeat(32)
  const B = "b".repeat(32)
  /** A bucket of one record on device A, and the change that made it. */
  const base = () => {
    const doc = Automerge.change(Automerge.init<Record<string, { title: string }>>({ actor: A }), (root) => {
      root.r = { title: "zero" }
    })
    return doc
  }
  const edit = (doc: Doc, title: string): { doc: Doc; change: Uint8Array } => {
    const next = Automerge.change(doc, (root) => {
      root.r.title = title
    })
    return { doc: next, change: Automerge.getLastLocalChange(next)! }
  }
  const merge = (doc: Doc, bytes: Uint8Array[]) => mergeIntoBucket(doc as unknown as Automerge.Doc<BucketRoot>, bytes, B, new Set())
  const copyOn = (doc: Doc, actor: string): Doc => Automerge.load(Automerge.save(doc), { actor })

  it("is straight for one device's changes built one on the last, in order or not", () => {
    const first = edit(base(), "one")
    const second = edit(first.doc, "two")
    const inOrder = merge(copyOn(base(), B), [first.change, second.change])
    expect(inOrder).toMatchObject({ straight: true, unreadable: 0 })
    expect((inOrder.doc as unknown as Doc).r.title).toBe("two")
    expect(merge(copyOn(base(), B), [second.change, first.change]).straight).toBe(true)
  })

  it("is not straight when the change is concurrent with one the bucket holds, held already, or waits for a missing one", () => {
    const local = copyOn(base(), B)
    const mine = Automerge.change(local, (root) => {
      root.r.title = "mine"
    })
    const theirs = edit(base(), "theirs")
    const concurrent = merge(mine, [theirs.change])
    expect(concurrent.straight).toBe(false)
    expect(["mine", "theirs"]).toContain((concurrent.doc as unknown as Doc).r.title)

    const held = edit(base(), "held")
    const once = merge(copyOn(base(), B), [held.change])
    expect(merge(once.doc as unknown as Doc, [held.change]).straight).toBe(false)

    const second = edit(held.doc, "second")
    expect(merge(copyOn(base(), B), [second.change]).straight).toBe(false)
  })
})
