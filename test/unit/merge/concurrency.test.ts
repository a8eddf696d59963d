import { describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { UnreadableChangesError } from "../../../src/merge/index.js"
import type { RecordInput } from "../../../src/merge/index.js"
import { actorOf, deliver, made, makeNet, syncAll, type Device, type Net } from "./helpers.js"

const LOGIN: RecordInput = {
  type: "login",
  title: "Mail",
  fields: { username: { value: "ada", kind: "text" }, password: { value: "p0", kind: "secret" } },
  notes: "The quick fox",
}

/** Two devices that both hold one record created on the first. */
function twoDevicesWithRecord(): { net: Net; id: string } {
  const net = makeNet(2)
  const [a, b] = net.devices
  const { id, changes } = a.doc.create(LOGIN)
  made(net, a, changes)
  deliver(net, a, b)
  return { net, id }
}

function setPassword(net: Net, index: number, id: string, value: string): void {
  const device = net.devices[index]
  made(net, device, device.doc.update(id, { set: { fields: { password: { value, kind: "secret" } } } }).changes)
}

describe("two devices editing concurrently", () => {
  it("concurrent edits of different fields both survive", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    made(net, a, a.doc.update(id, { set: { fields: { username: { value: "ada@new", kind: "email" } } } }).changes)
    setPassword(net, 1, id, "pB")
    syncAll(net)
    for (const device of [a, b]) {
      expect(device.doc.get(id)?.fields).toEqual({ username: { value: "ada@new", kind: "email" }, password: { value: "pB", kind: "secret" } })
    }
  })

  it("a concurrent edit of the same password picks one winner everywhere and keeps the loser in history", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    setPassword(net, 0, id, "pA")
    setPassword(net, 1, id, "pB")
    syncAll(net)
    const winner = a.doc.get(id)!.fields.password.value
    expect(["pA", "pB"]).toContain(winner)
    expect(b.doc.get(id)).toEqual(a.doc.get(id))
    const loser = winner === "pA" ? "pB" : "pA"
    for (const device of [a, b]) {
      const history = device.doc.history(id)
      expect(history).toContainEqual(expect.objectContaining({ field: "password", value: loser, kind: "secret", reason: "conflict" }))
      expect(history).toContainEqual(expect.objectContaining({ field: "password", value: "p0", reason: "edited" }))
    }
    expect(b.doc.history(id)).toEqual(a.doc.history(id))
  })

  it("history names the device that wrote each earlier and each conflicting value, the same on every device", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    setPassword(net, 0, id, "pA")
    setPassword(net, 1, id, "pB")
    syncAll(net)
    const loser = a.doc.get(id)!.fields.password.value === "pA" ? "pB" : "pA"
    const loserDevice = loser === "pA" ? actorOf(0) : actorOf(1)
    for (const device of [a, b]) {
      const history = device.doc.history(id)
      expect(history).toContainEqual(expect.objectContaining({ value: loser, reason: "conflict", deviceId: loserDevice }))
      // p0 was written by a (the record's creator), and replaced on both.
      expect(history.filter((h) => h.value === "p0")).toEqual([expect.objectContaining({ reason: "edited", deviceId: actorOf(0) })])
    }
    // b resolves the conflict: both concurrent values go to history, each with its writer.
    setPassword(net, 1, id, "pFinal")
    syncAll(net)
    for (const device of [a, b]) {
      const history = device.doc.history(id)
      expect(history).toContainEqual(expect.objectContaining({ value: "pA", deviceId: actorOf(0) }))
      expect(history).toContainEqual(expect.objectContaining({ value: "pB", deviceId: actorOf(1) }))
    }
    expect(b.doc.history(id)).toEqual(a.doc.history(id))
  })

  it("an imported earlier value names no device, even if the input claims one", () => {
    const net = makeNet(1)
    const [a] = net.devices
    const forged = { field: "password", value: "old", kind: "secret" as const, changedAt: 1, reason: "edited" as const, deviceId: actorOf(5) }
    const { id } = a.doc.create({ ...LOGIN, history: [forged] })
    expect(a.doc.history(id)).toEqual([{ field: "password", value: "old", kind: "secret", changedAt: 1, reason: "edited" }])
  })

  it("resolving a conflict by a later edit keeps both concurrent values in history", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    setPassword(net, 0, id, "pA")
    setPassword(net, 1, id, "pB")
    syncAll(net)
    setPassword(net, 1, id, "pFinal")
    syncAll(net)
    expect(a.doc.get(id)?.fields.password.value).toBe("pFinal")
    const values = a.doc.history(id).filter((h) => h.field === "password").map((h) => h.value)
    expect(values).toEqual(expect.arrayContaining(["p0", "pA", "pB"]))
    expect(b.doc.history(id)).toEqual(a.doc.history(id))
  })

  it("a field set on one device survives its concurrent removal on another", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    setPassword(net, 0, id, "pA")
    made(net, b, b.doc.update(id, { unset: ["password"] }).changes)
    syncAll(net)
    for (const device of [a, b]) {
      expect(device.doc.get(id)?.fields.password?.value).toBe("pA")
      expect(device.doc.history(id)).toContainEqual(expect.objectContaining({ field: "password", value: "p0", reason: "removed" }))
    }
  })

  it("concurrent title edits keep the losing title in history", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    made(net, a, a.doc.update(id, { set: { title: "Mail A" } }).changes)
    made(net, b, b.doc.update(id, { set: { title: "Mail B" } }).changes)
    syncAll(net)
    const title = a.doc.get(id)!.title
    expect(b.doc.get(id)!.title).toBe(title)
    const loser = title === "Mail A" ? "Mail B" : "Mail A"
    expect(a.doc.history(id)).toContainEqual(expect.objectContaining({ field: "title", value: loser, reason: "conflict" }))
  })

  it("an edit concurrent with a trash is kept, and the record stays in the trash", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    made(net, a, a.doc.trash(id))
    setPassword(net, 1, id, "pB")
    syncAll(net)
    for (const device of [a, b]) {
      expect(device.doc.get(id)).toMatchObject({ trashed: true, fields: { password: { value: "pB", kind: "secret" } } })
    }
  })

  it("concurrent note edits merge character by character", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    made(net, a, a.doc.update(id, { set: { notes: "The quick brown fox" } }).changes)
    made(net, b, b.doc.update(id, { set: { notes: "The quick fox jumps" } }).changes)
    syncAll(net)
    expect(a.doc.get(id)?.notes).toBe("The quick brown fox jumps")
    expect(b.doc.get(id)?.notes).toBe("The quick brown fox jumps")
  })

  it("concurrent tag additions both survive", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    made(net, a, a.doc.update(id, { set: { tags: ["work"] } }).changes)
    made(net, b, b.doc.update(id, { set: { tags: ["home"] } }).changes)
    syncAll(net)
    expect(a.doc.get(id)?.tags.sort()).toEqual(["home", "work"])
    expect(b.doc.get(id)?.tags).toEqual(a.doc.get(id)?.tags)
  })

  it("records created on each device both appear on both (no shared map to conflict on)", () => {
    const net = makeNet(2, { bucketCount: 1 })
    const [a, b] = net.devices
    made(net, a, a.doc.create({ type: "login", title: "from a" }).changes)
    made(net, b, b.doc.create({ type: "login", title: "from b" }).changes)
    syncAll(net)
    expect(a.doc.list().map((r) => r.title)).toEqual(["from a", "from b"])
    expect(b.doc.list()).toEqual(a.doc.list())
  })

  it("a permanent delete wins over a concurrent edit", () => {
    const { net, id } = twoDevicesWithRecord()
    const [a, b] = net.devices
    made(net, a, a.doc.deletePermanently(id))
    setPassword(net, 1, id, "pB")
    syncAll(net)
    expect(a.doc.get(id)).toBeUndefined()
    expect(b.doc.get(id)).toBeUndefined()
  })
})

describe("applyChanges", () => {
  it("reports the ids of records whose content changed", () => {
    const net = makeNet(2)
    const [a, b] = net.devices
    const first = a.doc.create(LOGIN)
    const second = a.doc.create({ type: "note", title: "Other" })
    made(net, a, [...first.changes, ...second.changes])
    expect(deliver(net, a, b).sort()).toEqual([first.id, second.id].sort())
    setPassword(net, 0, first.id, "pA")
    expect(deliver(net, a, b)).toEqual([first.id])
    expect(b.doc.applyChanges(net.changes).changedIds).toEqual([])
  })

  it("merges changes delivered out of order once their dependencies arrive", () => {
    const net = makeNet(2)
    const [a, b] = net.devices
    const { id, changes } = a.doc.create(LOGIN)
    const later = a.doc.update(id, { set: { title: "Mail 2" } }).changes
    expect(b.doc.applyChanges(later).changedIds).toEqual([])
    expect(b.doc.get(id)).toBeUndefined()
    expect(b.doc.applyChanges(changes).changedIds).toEqual([id])
    expect(b.doc.get(id)?.title).toBe("Mail 2")
  })

  it("throws CORRUPT_DATA on garbage bytes, still merges the readable changes, and stays usable", () => {
    const net = makeNet(2)
    const [a, b] = net.devices
    const { id, changes } = a.doc.create(LOGIN)
    const bucket = changes[0].bucket
    const truncated = changes[0].change.slice(0, 20)
    let caught: unknown
    try {
      b.doc.applyChanges([{ bucket, change: new Uint8Array([1, 2, 3]) }, ...changes, { bucket, change: truncated }])
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(LanvaultError)
    expect((caught as LanvaultError).code).toBe("CORRUPT_DATA")
    expect(caught).toBeInstanceOf(UnreadableChangesError)
    expect((caught as UnreadableChangesError).unreadable).toBe(2)
    expect((caught as UnreadableChangesError).changedIds).toEqual([id])
    expect(b.doc.get(id)?.title).toBe("Mail")
    expect(b.doc.update(id, { set: { title: "still usable" } }).changes).toHaveLength(1)
    const other = b.doc.create({ type: "note", title: "new" })
    expect(b.doc.get(other.id)?.title).toBe("new")
  })

  it("throws CORRUPT_DATA on garbage into a bucket that already has records, leaving them intact", () => {
    const { net, id } = twoDevicesWithRecord()
    const b = net.devices[1]
    const bucket = net.changes[0].bucket
    const before = b.doc.get(id)
    expect(() => b.doc.applyChanges([{ bucket, change: new Uint8Array(64).fill(0x85) }])).toThrow(LanvaultError)
    expect(b.doc.get(id)).toEqual(before)
  })

  it("refuses a change naming no bucket number (past the u16 a log entry carries, negative, fractional)", () => {
    for (const bucket of [65_536, -1, 1.5]) {
      const net = makeNet(1)
      let code: string | undefined
      try {
        net.devices[0].doc.applyChanges([{ bucket, change: new Uint8Array(0) }])
      } catch (error) {
        code = (error as LanvaultError).code
      }
      expect(code).toBe("CORRUPT_DATA")
    }
  })
})

describe("Automerge's JS view after concurrent writes and deletes (found by the convergence property test)", () => {
  it("every device shows the same winner when a delete raced concurrent writes", () => {
    const net = makeNet(3, { bucketCount: 4 })
    const [d0, d1, d2] = net.devices
    const { id, changes } = d0.doc.create({ type: "login", title: "shared", fields: { password: { value: "initial", kind: "secret" } } })
    made(net, d0, changes)
    syncAll(net)
    const set = (d: Device, value: string) => made(net, d, d.doc.update(id, { set: { fields: { username: { value, kind: "secret" } } } }).changes)
    set(d0, "")
    set(d2, "")
    set(d1, " ")
    made(net, d0, d0.doc.update(id, { set: { fields: { password: { value: "", kind: "secret" } } } }).changes)
    deliver(net, d2, d1)
    made(net, d2, d2.doc.update(id, { unset: ["username"] }).changes)
    syncAll(net)
    const shown = net.devices.map((d) => d.doc.get(id)!.fields.username)
    expect(shown[1]).toEqual(shown[0])
    expect(shown[2]).toEqual(shown[0])
  })
})
