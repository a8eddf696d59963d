import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { VaultDoc } from "../../../src/merge/index.js"
import type { RecordSummary } from "../../../src/merge/index.js"
import { actorOf, anyRecordInputs, deliver, made, makeNet, START_MS, type Device, type Net } from "./helpers.js"

const titles = (list: readonly RecordSummary[]) => list.map((r) => r.title)

/** What a device with no cache would list: a fresh doc built from the changes it holds. */
function uncachedView(net: Net, device: Device, bucketCount: number) {
  const fresh = new VaultDoc({}, { actorId: actorOf(5), bucketCount })
  fresh.applyChanges([...device.known].sort((a, b) => a - b).map((i) => net.changes[i]))
  return { list: fresh.list(), trash: fresh.list({ trash: true }), work: fresh.list({ query: "w" }) }
}

function cachedView(device: Device) {
  return { list: device.doc.list(), trash: device.doc.list({ trash: true }), work: device.doc.list({ query: "w" }) }
}

describe("VaultDoc list cache", () => {
  it("shows each local edit, trash, restore and permanent delete in the very next list", () => {
    const [a] = makeNet(1).devices
    const ids = ["Bank", "Mail", "Shop"].map((title) => a.doc.create({ type: "login", title }).id)
    expect(titles(a.doc.list())).toEqual(["Bank", "Mail", "Shop"])
    a.doc.update(ids[0], { set: { title: "Zoo", fields: { user: { value: "ann", kind: "text" } } } })
    expect(titles(a.doc.list())).toEqual(["Mail", "Shop", "Zoo"])
    expect(a.doc.list({ query: "ann" }).map((r) => r.id)).toEqual([ids[0]])
    a.doc.trash(ids[1])
    expect(titles(a.doc.list())).toEqual(["Shop", "Zoo"])
    expect(titles(a.doc.list({ trash: true }))).toEqual(["Mail"])
    a.doc.update(ids[1], { set: { trashed: false } })
    expect(titles(a.doc.list())).toEqual(["Mail", "Shop", "Zoo"])
    a.doc.deletePermanently(ids[2])
    expect(titles(a.doc.list())).toEqual(["Mail", "Zoo"])
    expect(a.doc.list({ trash: true })).toEqual([])
  })

  it("shows changes merged from another device, and the same winner of a concurrent edit on both", () => {
    const net = makeNet(2)
    const [a, b] = net.devices
    const { id, changes } = a.doc.create({ type: "login", title: "Shared" })
    made(net, a, changes)
    deliver(net, a, b)
    expect(titles(a.doc.list())).toEqual(["Shared"])
    expect(titles(b.doc.list())).toEqual(["Shared"])
    made(net, a, a.doc.update(id, { set: { title: "From a" } }).changes)
    made(net, b, b.doc.update(id, { set: { title: "From b" } }).changes)
    made(net, b, b.doc.create({ type: "note", title: "New on b" }).changes)
    deliver(net, b, a)
    deliver(net, a, b)
    expect(a.doc.list()).toEqual(b.doc.list())
    expect(titles(a.doc.list())).toContain("New on b")
    expect(a.doc.list().find((r) => r.id === id)!.title).toBe(a.doc.get(id)!.title)
  })

  it("shows records a snapshot brought in", () => {
    const source = new VaultDoc({}, { actorId: actorOf(1), bucketCount: 1, now: () => START_MS, newId: () => "from-snapshot" })
    source.create({ type: "note", title: "In the snapshot" })
    const doc = new VaultDoc({}, { actorId: actorOf(0), bucketCount: 1, now: () => START_MS, newId: () => "local" })
    doc.create({ type: "note", title: "Local" })
    expect(titles(doc.list())).toEqual(["Local"])
    doc.loadBucket(0, source.saveBucket(0))
    expect(titles(doc.list())).toEqual(["In the snapshot", "Local"])
  })

  it("re-reads only the record an edit or a merged edit changed: the others of its bucket stay the same objects", () => {
    const net = makeNet(2, { bucketCount: 1 })
    const [a, b] = net.devices
    for (const title of ["Bank", "Mail", "Shop", "Wiki"]) made(net, a, a.doc.create({ type: "login", title }).changes)
    deliver(net, a, b)
    const before = a.doc.list()
    const edited = before[1].id
    made(net, a, a.doc.update(edited, { set: { title: "Zoo" } }).changes)
    const after = a.doc.list()
    expect(titles(after)).toEqual(["Bank", "Shop", "Wiki", "Zoo"])
    for (const summary of after.filter((s) => s.id !== edited)) expect(before).toContain(summary)
    expect(before).not.toContain(after[3])
    const onB = b.doc.list()
    deliver(net, a, b)
    const merged = b.doc.list()
    expect(merged).toEqual(after)
    for (const summary of merged.filter((s) => s.id !== edited)) expect(onB).toContain(summary)
  })

  it("lists new records exactly as an uncached doc reads them back, whatever their fields, tags and dates (property)", () => {
    fc.assert(
      fc.property(anyRecordInputs(["login", "note", "card", "custom type"], ["work", "home", "Work", "x y"], 12), (inputs) => {
        const net = makeNet(1, { bucketCount: 2 })
        const [a] = net.devices
        made(net, a, a.doc.createMany(inputs).changes)
        const uncached = uncachedView(net, a, 2)
        expect(a.doc.list()).toEqual(uncached.list)
        expect(JSON.stringify(a.doc.list())).toBe(JSON.stringify(uncached.list))
      }),
      { numRuns: 150 },
    )
  })

  it("hands out summaries no caller can change", () => {
    const [a] = makeNet(1).devices
    a.doc.create({ type: "login", title: "Mail", tags: ["work"], fields: { user: { value: "ann", kind: "text" } } })
    const [summary] = a.doc.list()
    expect(() => {
      summary.title = "changed"
    }).toThrow(TypeError)
    expect(() => summary.tags.push("x")).toThrow(TypeError)
    expect(() => {
      summary.fields.user.value = "eve"
    }).toThrow(TypeError)
    expect(a.doc.list()[0]).toMatchObject({ title: "Mail", tags: ["work"], fields: { user: { value: "ann" } } })
  })

  it("lists what an uncached doc would, whatever the edits, merges and lists in between (property)", () => {
    const bucketCount = 4
    const op = fc.oneof(
      fc.record({ kind: fc.constant("create" as const), device: fc.nat(1), title: fc.constantFrom("w1", "w2", "x", "y", "W") }),
      fc.record({ kind: fc.constant("title" as const), device: fc.nat(1), pick: fc.nat(5), title: fc.constantFrom("a", "w", "z") }),
      fc.record({ kind: fc.constant("trash" as const), device: fc.nat(1), pick: fc.nat(5), trashed: fc.boolean() }),
      fc.record({ kind: fc.constant("delete" as const), device: fc.nat(1), pick: fc.nat(5) }),
      fc.record({ kind: fc.constant("deliver" as const), device: fc.nat(1) }),
      fc.record({ kind: fc.constant("list" as const), device: fc.nat(1) }),
    )
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 30 }), (ops) => {
        const net = makeNet(2, { bucketCount })
        for (const step of ops) {
          const dev = net.devices[step.device]
          const other = net.devices[1 - step.device]
          if (step.kind === "create") made(net, dev, dev.doc.create({ type: "note", title: step.title }).changes)
          else if (step.kind === "deliver") deliver(net, other, dev)
          else if (step.kind === "list") dev.doc.list()
          else {
            const ids = [...dev.doc.list(), ...dev.doc.list({ trash: true })].map((r) => r.id).sort()
            if (ids.length === 0) continue
            const id = ids[step.pick % ids.length]
            if (step.kind === "title") made(net, dev, dev.doc.update(id, { set: { title: step.title } }).changes)
            else if (step.kind === "trash") made(net, dev, dev.doc.update(id, { set: { trashed: step.trashed } }).changes)
            else made(net, dev, dev.doc.deletePermanently(id))
          }
          for (const device of net.devices) expect(cachedView(device)).toEqual(uncachedView(net, device, bucketCount))
        }
      }),
      { numRuns: 60 },
    )
  })
})
