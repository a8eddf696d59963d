import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Automerge from "../../../src/merge/automerge.js"
import { fillable, fillGroups, writtenWhole, type FillGroup } from "../../../src/merge/bucket-fill.js"
import { VaultDoc, type BucketChange, type RecordInput } from "../../../src/merge/index.js"
import { actorOf, anyRecordInputs, START_MS } from "./helpers.js"

/** A doc whose clock and ids are deterministic: two made alike write the same records under the same ids. */
function newDoc(actor = 0, prefix = "r"): VaultDoc {
  let clock = START_MS
  let next = 0
  return new VaultDoc({}, { actorId: actorOf(actor), now: () => ++clock, newId: () => `${prefix}-${++next}` })
}

const INPUTS: RecordInput[] = [
  {
    type: "login", title: "Mail",
    fields: { username: { value: "ada@example.com", kind: "email" }, password: { value: "hunter2", kind: "secret" }, otp: { value: "JBSWY3DPEHPK3PXP", kind: "totp" } },
    notes: "recovery codes in the drawer", tags: ["work", "10", "email", "work", "2"], favorite: true,
  },
  { type: "note", title: "Plain" },
  {
    type: "login", title: "bank ✓ 😀", fields: { "pin code": { value: "1234", kind: "number" }, url: { value: "https://bank.example", kind: "url" } },
    createdAt: 1_600_000_000_000, updatedAt: 1_650_000_000_000,
    history: [{ field: "password", value: "old", kind: "secret", changedAt: 1_640_000_000_000, reason: "edited", deviceId: actorOf(3) }],
  },
  ...Array.from({ length: 300 }, (_, i): RecordInput => ({
    type: "login", title: `site${i}.example.com`, notes: i % 10 === 0 ? `code ${i}` : "",
    fields: { username: { value: `user${i}`, kind: "text" }, password: { value: `pw-${i}`, kind: "secret" } },
  })),
]

/** An op as decodeChange gives it (its type leaves out the list fields). */
interface DecodedOp {
  action: string
  obj: string
  key?: string
  elemId?: string
  insert?: boolean
  value?: unknown
  datatype?: string
  pred: string[]
}

/**
 * The ops of changes with their op ids replaced by where they write (`record/fields`, `record/notes[3]`),
 * sorted: two changes that create the same records with the same values give the same list,
 * whatever order they wrote them in.
 */
function opsByPlace(changes: BucketChange[]): string[] {
  const out: string[] = []
  for (const { change } of changes) {
    const decoded = Automerge.decodeChange(change)
    const places = new Map<string, string>([["_root", ""]])
    const inserted = new Map<string, number>()
    ;(decoded.ops as unknown as DecodedOp[]).forEach((op, index) => {
      const opId = `${decoded.startOp + index}@${decoded.actor}`
      const parent = places.get(op.obj)!
      let place: string
      if (op.insert) {
        const n = inserted.get(op.obj) ?? 0
        inserted.set(op.obj, n + 1)
        place = `${parent}[${n}]`
      } else {
        place = `${parent}/${op.key}`
      }
      places.set(opId, place)
      const after = op.elemId === undefined ? undefined : op.elemId === "_head" ? "_head" : places.get(op.elemId)
      out.push(JSON.stringify({ place, action: op.action, value: op.value, datatype: op.datatype, after, pred: op.pred.length }))
    })
  }
  return out.sort()
}

describe("an import fills new buckets without the document's JS view", () => {
  it("writes records that read, list and hold history exactly as records.create's", () => {
    const imported = newDoc()
    const created = newDoc()
    const a = imported.createMany(INPUTS, { fillNew: true })
    const b = created.createMany(INPUTS)
    expect(a.ids).toEqual(b.ids)
    // Left cold behind the index made from the inputs; the index is what the documents read back.
    expect(imported.loadedBuckets).toBe(0)
    expect(created.loadedBuckets).toBeGreaterThan(0)
    expect(imported.list({})).toEqual(created.list({}))
    expect(imported.list({ query: "work" }).map((s) => s.id)).toEqual([a.ids[0]])
    for (const id of a.ids) {
      expect(imported.get(id)).toEqual(created.get(id))
      expect(imported.history(id)).toEqual(created.history(id))
    }
    expect(imported.list({})).toEqual(created.list({}))
  })

  it("saves each filled bucket with its index, which a next unlock takes without reading the bucket", () => {
    const imported = newDoc()
    imported.createMany(INPUTS, { fillNew: true })
    const reopened = newDoc()
    for (const bucket of imported.bucketNumbers()) expect(reopened.takeBucket(bucket, imported.saveBucket(bucket)).indexed).toBe(true)
    expect(reopened.loadedBuckets).toBe(0)
    const reference = newDoc()
    reference.createMany(INPUTS)
    expect(reopened.list({})).toEqual(reference.list({}))
    expect(reopened.get(reopened.list({})[0].id)).toEqual(reference.get(reopened.list({})[0].id))
  })

  it("writes the same ops as records.create, one change per bucket", () => {
    const a = newDoc().createMany(INPUTS, { fillNew: true })
    const b = newDoc().createMany(INPUTS)
    expect(a.changes.map((c) => c.bucket)).toEqual(b.changes.map((c) => c.bucket))
    expect(opsByPlace(a.changes)).toEqual(opsByPlace(b.changes))
    // Each change is a plain Automerge change of this device: same actor, seq, dependencies and time.
    a.changes.forEach((change, i) => {
      const [x, y] = [Automerge.decodeChange(change.change), Automerge.decodeChange(b.changes[i].change)]
      expect({ ...x, ops: [], hash: "" }).toEqual({ ...y, ops: [], hash: "" })
    })
  })

  it("is read by another device like any change, and merges with a concurrent edit there", () => {
    const importer = newDoc(0)
    const other = newDoc(1, "o")
    const { ids, changes } = importer.createMany(INPUTS, { fillNew: true })
    other.applyChanges(changes)
    expect(other.list({})).toEqual(importer.list({}))
    const id = ids[0]
    const mine = importer.update(id, { set: { fields: { password: { value: "mine", kind: "secret" } }, title: "Mail (home)" } }).changes
    const theirs = other.update(id, { set: { fields: { password: { value: "theirs", kind: "secret" } }, tags: ["shared"] } }).changes
    importer.applyChanges(theirs)
    other.applyChanges(mine)
    expect(importer.get(id)).toEqual(other.get(id))
    expect(importer.get(id)).toMatchObject({ title: "Mail (home)", tags: ["shared"] })
    expect(importer.history(id)).toEqual(other.history(id))
    const losers = importer.history(id).filter((h) => h.field === "password").map((h) => h.value)
    expect(losers).toContain("hunter2")
    expect(losers).toContain(importer.get(id)!.fields.password.value === "mine" ? "theirs" : "mine")
    expect(importer.list({})).toEqual(other.list({}))
  })

  it("goes through a usual change for a bucket that exists, and for what it cannot summarise exactly", () => {
    const doc = newDoc()
    const first = doc.createMany(INPUTS.slice(0, 3), { fillNew: true })
    const odd: RecordInput = { type: "login", title: "odd", tags: ["\ud800 lone"] }
    expect(fillable(odd)).toBe(false)
    expect(fillable(INPUTS[0])).toBe(true)
    const more = doc.createMany([...INPUTS.slice(3), odd], { fillNew: true })
    const reference = newDoc()
    reference.applyChanges([...first.changes, ...more.changes])
    expect(doc.list({})).toEqual(reference.list({}))
    expect(doc.list({}).find((s) => s.title === "odd")!.tags).toEqual(reference.get(more.ids.at(-1)!)!.tags)
  })

  it("lists and reads filled records exactly as a doc built from their changes does, whatever their strings, tags and dates (property)", () => {
    // Lone surrogates take a usual change (fillable): the list must not tell the two paths apart.
    fc.assert(
      fc.property(anyRecordInputs(["login", "note"], ["work", "10", "2", "x y"], 40), (inputs) => {
        const doc = newDoc()
        const { ids, changes } = doc.createMany(inputs, { fillNew: true })
        const fresh = newDoc(5)
        fresh.applyChanges(changes)
        expect(doc.list({})).toEqual(fresh.list({}))
        expect(JSON.stringify(doc.list({}))).toBe(JSON.stringify(fresh.list({})))
        for (const id of ids) expect(doc.get(id)).toEqual(fresh.get(id))
      }),
      { numRuns: 100 },
    )
  })
})

describe("which new records are written whole: one rule (writtenWhole) for an import's worker and VaultDoc.createMany", () => {
  const odd: RecordInput = { type: "login", title: "odd", tags: ["\ud800 lone"] }
  const cases: Array<[string, boolean, RecordInput[], boolean]> = [
    ["a bucket that held nothing, every record fillable", true, INPUTS.slice(0, 3), true],
    ["a bucket that held records", false, INPUTS.slice(0, 3), false],
    ["a bucket that held nothing, one record not fillable", true, [INPUTS[0], odd], false],
  ]

  it.each(cases)("%s", (_, fresh, inputs, whole) => {
    expect(writtenWhole(fresh, inputs)).toBe(whole)
    // The worker: a group written whole comes as a filled bucket, any other as its inputs.
    // Ids naming bucket 70 (newRecordId): random, but always of that bucket.
    const doc = new VaultDoc({}, { actorId: actorOf(0) })
    const group: FillGroup = { bucket: 70, indexes: inputs.map((_, i) => i), ids: doc.newIdsIn(inputs.map(() => 70)), fresh }
    const [written] = fillGroups([...inputs], { actor: doc.actorId, now: START_MS, groups: [group] })
    expect(written.filled !== undefined).toBe(whole)
    // VaultDoc.createMany: a bucket written whole is left cold behind its index, a usual change loads it.
    if (!fresh) {
      doc.createMany([{ type: "note", title: "there before" }], { ids: doc.newIdsIn([70]) })
      doc.evictIdle(-1, 100)
    }
    expect(doc.loadedBuckets).toBe(0)
    doc.createMany(inputs, { fillNew: true, ids: group.ids })
    expect(doc.loadedBuckets).toBe(whole ? 0 : 1)
    expect(group.ids.map((id) => doc.get(id)?.title)).toEqual(inputs.map((input) => input.title))
  })
})
