import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { VaultDoc, type ListFilter, type RecordSummary } from "../../../src/merge/index.js"
import { compareSummaries } from "../../../src/merge/list-filter.js"
import { patchSorted } from "../../../src/merge/sorted-list.js"
import { actorOf, START_MS } from "./helpers.js"

function newDoc(): VaultDoc {
  let clock = START_MS
  let next = 0
  return new VaultDoc({}, { actorId: actorOf(0), bucketCount: 4, now: () => ++clock, newId: () => `rec-${String(++next).padStart(3, "0")}` })
}

/** Every page of `filter` at `limit`, following `next`. */
function allPages(doc: VaultDoc, filter: ListFilter, limit: number, hidden?: ReadonlySet<string>): RecordSummary[] {
  const seen: RecordSummary[] = []
  let cursor: string | undefined
  for (let pages = 0; pages < 1_000; pages++) {
    const page = doc.page(filter, limit, cursor, { hiddenTypes: hidden })
    expect(page.records.length).toBeLessThanOrEqual(limit)
    seen.push(...page.records)
    if (page.next === undefined) return seen
    expect(page.records.length).toBe(limit)
    cursor = page.next
  }
  throw new Error("paging did not end")
}

const ids = (list: readonly RecordSummary[]) => list.map((r) => r.id)

describe("records.list pages (ListView)", () => {
  it("pages through the list in list order, every record once, the last page without a next", () => {
    const doc = newDoc()
    for (let i = 0; i < 23; i++) doc.create({ type: i % 3 === 0 ? "note" : "login", title: `Site ${i % 7}`, tags: i % 2 ? ["work"] : [] })
    for (const limit of [1, 5, 23, 24, 100]) expect(ids(allPages(doc, {}, limit))).toEqual(ids(doc.list()))
    expect(doc.page({}, 23).next).toBeUndefined()
    expect(doc.page({}, 22).next).toBeDefined()
  })

  it("applies the filter and hidden types to pages as to the whole list", () => {
    const doc = newDoc()
    for (let i = 0; i < 30; i++) doc.create({ type: ["login", "note", "assoc"][i % 3], title: `T${i}`, tags: i % 4 === 0 ? ["work"] : [] })
    const hidden = new Set(["assoc"])
    for (const filter of [{}, { type: "note" }, { tag: "work" }, { query: "t1" }, { type: "assoc" }]) {
      expect(ids(allPages(doc, filter, 4, hidden))).toEqual(ids(doc.list(filter, { hiddenTypes: hidden })))
    }
    expect(doc.list({}, { hiddenTypes: hidden }).some((r) => r.type === "assoc")).toBe(false)
    expect(doc.list({ type: "assoc" }, { hiddenTypes: hidden })).toHaveLength(10)
    doc.trash(doc.list({ type: "note" })[0].id)
    expect(ids(allPages(doc, { trash: true }, 1))).toEqual(ids(doc.list({ trash: true })))
  })

  it("keeps its place across edits: records added or removed before the cursor do not shift the next page", () => {
    const doc = newDoc()
    const made = ["B", "D", "F", "H", "J", "L"].map((title) => doc.create({ type: "note", title }).id)
    const first = doc.page({}, 2)
    expect(first.records.map((r) => r.title)).toEqual(["B", "D"])
    doc.create({ type: "note", title: "A" })
    doc.create({ type: "note", title: "C" })
    doc.deletePermanently(made[0])
    doc.create({ type: "note", title: "E" })
    // The last record shown is gone as well: its title and id still mark the place.
    doc.deletePermanently(made[1])
    const second = doc.page({}, 2, first.next)
    expect(second.records.map((r) => r.title)).toEqual(["E", "F"])
    doc.update(made[3], { set: { title: "A2" } })
    expect(doc.page({}, 10, second.next).records.map((r) => r.title)).toEqual(["J", "L"])
  })

  it("returns the same frozen list while nothing changed, a new one after an edit", () => {
    const doc = newDoc()
    const id = doc.create({ type: "note", title: "One" }).id
    const list = doc.list()
    expect(doc.list()).toBe(list)
    expect(Object.isFrozen(list)).toBe(true)
    expect(doc.list({ query: "x" })).toBe(doc.list({ query: "x" }))
    doc.update(id, { set: { title: "Two" } })
    expect(doc.list()).not.toBe(list)
    expect(doc.list()[0].title).toBe("Two")
  })

  it("refuses a limit out of range and a cursor it did not make (INVALID_PARAMS)", () => {
    const doc = newDoc()
    doc.create({ type: "note", title: "One" })
    for (const limit of [0, -1, 1.5, Number.NaN, 100_001]) expect(() => doc.page({}, limit)).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    for (const cursor of ["", "not a cursor", Buffer.from("[1,2]").toString("base64url"), Buffer.from('["a"]').toString("base64url")]) {
      expect(() => doc.page({}, 5, cursor)).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    }
  })

  it("shows every record not edited meanwhile exactly once across pages, whatever edits happen between them (property)", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("create" as const), title: fc.constantFrom("a", "b", "B", "c 2", "c 10", "d") }),
      fc.record({ kind: fc.constant("rename" as const), pick: fc.nat(40), title: fc.constantFrom("a", "bb", "z") }),
      fc.record({ kind: fc.constant("delete" as const), pick: fc.nat(40) }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.array(step, { maxLength: 3 }), { minLength: 1, maxLength: 12 }), (limit, between) => {
        const doc = newDoc()
        for (let i = 0; i < 15; i++) doc.create({ type: "note", title: `${"abcd"[i % 4]} ${i}` })
        const untouched = new Set(ids(doc.list()))
        const renamed = new Set<string>()
        const seen: string[] = []
        let cursor: string | undefined
        for (let p = 0; ; p++) {
          const page = doc.page({}, limit, cursor)
          seen.push(...ids(page.records))
          if (page.next === undefined) break
          cursor = page.next
          for (const edit of between[p] ?? []) {
            const all = doc.list()
            if (edit.kind === "create") doc.create({ type: "note", title: edit.title })
            else if (all.length === 0) continue
            else if (edit.kind === "rename") {
              const id = doc.update(all[edit.pick % all.length].id, { set: { title: edit.title } }).record.id
              untouched.delete(id)
              renamed.add(id)
            }
            else {
              const gone = all[edit.pick % all.length].id
              untouched.delete(gone)
              doc.deletePermanently(gone)
            }
          }
        }
        const twice = seen.filter((id, i) => seen.indexOf(id) !== i)
        for (const id of twice) expect(renamed).toContain(id)
        for (const id of untouched) expect(seen).toContain(id)
      }),
      { numRuns: 100 },
    )
  })

  it("patches a sorted list as a full sort would, for any items removed and added (property)", () => {
    const summary = (title: string, n: number) => ({ id: `id-${String(n).padStart(4, "0")}`, title }) as RecordSummary
    const titleArb = fc.constantFrom("a", "A", "b", "b 2", "b 10", "c", "é", "")
    fc.assert(
      fc.property(fc.array(titleArb, { maxLength: 40 }), fc.array(fc.boolean(), { maxLength: 40 }), fc.array(titleArb, { maxLength: 10 }), (titles, drop, extra) => {
        const list = titles.map((title, n) => summary(title, n)).sort(compareSummaries)
        const removed = list.filter((_, i) => drop[i] === true)
        const added = extra.map((title, n) => summary(title, 1_000 + n)).sort(compareSummaries)
        const expected = [...list.filter((item) => !removed.includes(item)), ...added].sort(compareSummaries)
        expect(patchSorted(list, { removed, added })).toEqual(expected)
        expect(patchSorted(list, { removed: [summary("a", 9_999)], added: [] })).toBeUndefined()
      }),
      { numRuns: 300 },
    )
  })
})
