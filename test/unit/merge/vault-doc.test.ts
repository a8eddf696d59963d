import { describe, expect, it } from "vitest"
import { bucketOf, DEFAULT_BUCKET_COUNT, VaultDoc } from "../../../src/merge/index.js"
import type { RecordInput } from "../../../src/merge/index.js"
import { actorOf, START_MS } from "./helpers.js"
import { codeOf } from "../../helpers/error-code.js"

function newDoc(options: { bucketCount?: number } = {}): VaultDoc {
  let clock = START_MS
  let next = 0
  return new VaultDoc({}, { actorId: actorOf(0), now: () => ++clock, newId: () => `r-${++next}`, ...options })
}

const LOGIN: RecordInput = {
  type: "login",
  title: "Mail",
  fields: {
    username: { value: "ada@example.com", kind: "email" },
    password: { value: "hunter2", kind: "secret" },
    otp: { value: "JBSWY3DPEHPK3PXP", kind: "totp" },
  },
  notes: "recovery codes in the drawer",
  tags: ["work", "email"],
  favorite: true,
}

describe("VaultDoc records", () => {
  it("creates a record and reads back every part, secrets included", () => {
    const doc = newDoc()
    const { id, changes } = doc.create(LOGIN)
    expect(changes).toHaveLength(1)
    expect(changes[0].bucket).toBe(bucketOf(id, DEFAULT_BUCKET_COUNT))
    expect(changes[0].change).toBeInstanceOf(Uint8Array)
    expect(doc.get(id)).toEqual({
      id, type: "login", title: "Mail", fields: LOGIN.fields, notes: "recovery codes in the drawer",
      tags: ["work", "email"], favorite: true, trashed: false, createdAt: START_MS + 1, updatedAt: START_MS + 1,
    })
    expect(doc.size).toBe(1)
  })

  it("gives omitted parts their defaults", () => {
    const doc = newDoc()
    const { id } = doc.create({ type: "note", title: "Plain" })
    expect(doc.get(id)).toMatchObject({ fields: {}, notes: "", tags: [], favorite: false, trashed: false })
  })

  it("returns undefined for an id it does not hold", () => {
    expect(newDoc().get("nope")).toBeUndefined()
  })

  it("refuses invalid inputs with INVALID_PARAMS and writes nothing", () => {
    const doc = newDoc()
    const bad: unknown[] = [
      { type: "", title: "t" },
      { type: "login", title: "" },
      { type: "login", title: "x".repeat(1001) },
      { type: "login", title: "t", fields: { "": { value: "v", kind: "text" } } },
      { type: "login", title: "t", fields: { ["n".repeat(201)]: { value: "v", kind: "text" } } },
      { type: "login", title: "t", fields: { pin: { value: "1", kind: "pin" } } },
      { type: "login", title: "t", fields: { pin: { value: 1234, kind: "number" } } },
      { type: "login", title: "t", fields: { big: { value: "x".repeat(64 * 1024 + 1), kind: "text" } } },
      // As JSON-RPC params arrive: JSON.parse makes "__proto__" an own key.
      JSON.parse('{"type":"login","title":"t","fields":{"__proto__":{"value":"v","kind":"text"}}}'),
      { type: "login", title: "t", tags: ["ok", 3] },
      { type: "login", title: "t", tags: "work" },
      { type: "login", title: "t", favorite: "yes" },
      { type: "login", title: "t", colour: "red" },
      null,
    ]
    for (const input of bad) expect(codeOf(() => doc.create(input as RecordInput)), JSON.stringify(input)).toBe("INVALID_PARAMS")
    expect(codeOf(() => doc.createMany([LOGIN, { type: "", title: "t" }]))).toBe("INVALID_PARAMS")
    expect(doc.size).toBe(0)
  })

  it("accepts a value of exactly 64 KiB", () => {
    const doc = newDoc()
    const { id } = doc.create({ type: "document", title: "key", fields: { pem: { value: "k".repeat(64 * 1024), kind: "secret" } } })
    expect(doc.get(id)?.fields.pem.value).toHaveLength(64 * 1024)
  })

  it("createMany writes one change per bucket it touches", () => {
    const doc = newDoc({ bucketCount: 4 })
    const inputs = Array.from({ length: 40 }, (_, i) => ({ type: "login", title: `site ${i}` }))
    const { ids, changes } = doc.createMany(inputs)
    expect(ids).toHaveLength(40)
    const buckets = new Set(ids.map((id) => bucketOf(id, 4)))
    expect(changes.map((c) => c.bucket).sort()).toEqual([...buckets].sort())
    expect(doc.size).toBe(40)
    expect(doc.get(ids[17])?.title).toBe("site 17")
  })

  it("rejects a bad actor id or bucket count", () => {
    expect(codeOf(() => new VaultDoc({}, { actorId: "not-hex" }))).toBe("INVALID_PARAMS")
    expect(codeOf(() => new VaultDoc({}, { actorId: actorOf(0), bucketCount: 0 }))).toBe("INVALID_PARAMS")
    expect(codeOf(() => new VaultDoc({}, { actorId: actorOf(0), bucketCount: 70_000 }))).toBe("INVALID_PARAMS")
  })
})

describe("VaultDoc updates", () => {
  it("sets fields, title, notes, tags and favorite, and bumps updatedAt", () => {
    const doc = newDoc()
    const { id } = doc.create(LOGIN)
    const { record, changes } = doc.update(id, {
      set: { title: "Mail (old)", notes: "none", tags: ["email", "archive"], favorite: false, fields: { url: { value: "https://mail.example", kind: "url" } } },
    })
    expect(changes).toHaveLength(1)
    expect(record).toMatchObject({ title: "Mail (old)", notes: "none", tags: ["email", "archive"], favorite: false, updatedAt: START_MS + 2 })
    expect(record.fields.url).toEqual({ value: "https://mail.example", kind: "url" })
    expect(record.fields.password).toEqual({ value: "hunter2", kind: "secret" })
    expect(doc.get(id)).toEqual(record)
  })

  it("writes no change when a patch changes nothing", () => {
    const doc = newDoc()
    const { id } = doc.create(LOGIN)
    const { changes, record } = doc.update(id, {
      set: { title: "Mail", notes: LOGIN.notes, tags: LOGIN.tags, favorite: true, trashed: false, fields: { password: { value: "hunter2", kind: "secret" } } },
    })
    expect(changes).toEqual([])
    expect(record.updatedAt).toBe(START_MS + 1)
    expect(doc.update(id, {}).changes).toEqual([])
    expect(doc.update(id, { unset: ["no-such-field"] }).changes).toEqual([])
  })

  it("unsets a field and keeps its value in history", () => {
    const doc = newDoc()
    const { id } = doc.create(LOGIN)
    const { record } = doc.update(id, { unset: ["otp"] })
    expect(record.fields.otp).toBeUndefined()
    expect(doc.history(id)).toEqual([{ field: "otp", value: "JBSWY3DPEHPK3PXP", kind: "totp", changedAt: START_MS + 2, reason: "removed", deviceId: actorOf(0) }])
  })

  it("keeps every replaced password in history, newest first", () => {
    const doc = newDoc()
    const { id } = doc.create(LOGIN)
    for (const value of ["second", "third"]) doc.update(id, { set: { fields: { password: { value, kind: "secret" } } } })
    doc.update(id, { set: { title: "Webmail" } })
    expect(doc.history(id)).toEqual([
      { field: "title", value: "Mail", kind: "text", changedAt: START_MS + 4, reason: "edited", deviceId: actorOf(0) },
      { field: "password", value: "second", kind: "secret", changedAt: START_MS + 3, reason: "edited", deviceId: actorOf(0) },
      { field: "password", value: "hunter2", kind: "secret", changedAt: START_MS + 2, reason: "edited", deviceId: actorOf(0) },
    ])
    expect(doc.get(id)?.fields.password.value).toBe("third")
  })

  it("lists a value once in history, at its newest time, however often it was replaced", () => {
    const doc = newDoc()
    const { id } = doc.create({ type: "login", title: "t", fields: { pin: { value: "1111", kind: "secret" } } })
    for (const value of ["2222", "1111", "3333"]) doc.update(id, { set: { fields: { pin: { value, kind: "secret" } } } })
    expect(doc.history(id).map((h) => [h.value, h.changedAt])).toEqual([["1111", START_MS + 4], ["2222", START_MS + 3]])
  })

  it("refuses a field both set and unset, or an unknown patch key", () => {
    const doc = newDoc()
    const { id } = doc.create(LOGIN)
    expect(codeOf(() => doc.update(id, { set: { fields: { otp: { value: "x", kind: "totp" } } }, unset: ["otp"] }))).toBe("INVALID_PARAMS")
    expect(codeOf(() => doc.update(id, { set: { titel: "typo" } } as never))).toBe("INVALID_PARAMS")
    expect(codeOf(() => doc.update(id, { set: { trashed: "yes" } } as never))).toBe("INVALID_PARAMS")
  })

  it("throws NOT_FOUND for a record it does not hold", () => {
    const doc = newDoc()
    expect(codeOf(() => doc.update("r-404", { set: { title: "x" } }))).toBe("NOT_FOUND")
    expect(codeOf(() => doc.trash("r-404"))).toBe("NOT_FOUND")
    expect(codeOf(() => doc.deletePermanently("r-404"))).toBe("NOT_FOUND")
    expect(codeOf(() => doc.history("r-404"))).toBe("NOT_FOUND")
  })
})

describe("VaultDoc trash and delete", () => {
  it("trashes, lists the trash apart, and restores", () => {
    const doc = newDoc()
    const { id } = doc.create(LOGIN)
    expect(doc.trash(id)).toHaveLength(1)
    expect(doc.get(id)?.trashed).toBe(true)
    expect(doc.list()).toEqual([])
    expect(doc.list({ trash: true }).map((r) => r.id)).toEqual([id])
    expect(doc.trash(id)).toEqual([])
    doc.update(id, { set: { trashed: false } })
    expect(doc.list().map((r) => r.id)).toEqual([id])
    expect(doc.size).toBe(1)
  })

  it("deletes permanently: the record is gone and cannot be updated", () => {
    const doc = newDoc()
    const { id } = doc.create(LOGIN)
    doc.trash(id)
    expect(doc.deletePermanently(id)).toHaveLength(1)
    expect(doc.get(id)).toBeUndefined()
    expect(doc.size).toBe(0)
    expect(codeOf(() => doc.update(id, { set: { trashed: false } }))).toBe("NOT_FOUND")
  })
})

describe("VaultDoc list", () => {
  function seeded(): VaultDoc {
    const doc = newDoc()
    doc.create(LOGIN)
    doc.create({ type: "login", title: "bank", fields: { password: { value: "findme", kind: "secret" }, user: { value: "ADA", kind: "text" } }, tags: ["money"] })
    doc.create({ type: "wifi", title: "Attic", fields: { ssid: { value: "attic-5g", kind: "text" } } })
    return doc
  }

  it("leaves out secret and TOTP values but keeps their kinds", () => {
    const [mail] = seeded().list({ query: "mail" })
    expect(mail.fields).toEqual({ username: { kind: "email", value: "ada@example.com" }, password: { kind: "secret" }, otp: { kind: "totp" } })
    expect(mail).not.toHaveProperty("notes")
  })

  it("sorts by title, case-insensitively", () => {
    expect(seeded().list().map((r) => r.title)).toEqual(["Attic", "bank", "Mail"])
  })

  it("matches a query against title, non-secret values and tags, never secret values", () => {
    const doc = seeded()
    const titles = (query: string) => doc.list({ query }).map((r) => r.title)
    expect(titles("ATT")).toEqual(["Attic"])
    expect(titles("ada")).toEqual(["bank", "Mail"])
    expect(titles("MONEY")).toEqual(["bank"])
    expect(titles("findme")).toEqual([])
    expect(titles("hunter2")).toEqual([])
    expect(titles("JBSWY3")).toEqual([])
  })

  it("filters by type and by tag", () => {
    const doc = seeded()
    expect(doc.list({ type: "wifi" }).map((r) => r.title)).toEqual(["Attic"])
    expect(doc.list({ tag: "Work" }).map((r) => r.title)).toEqual(["Mail"])
  })
})

describe("VaultDoc buckets", () => {
  it("bucketOf is stable and in range", () => {
    expect(bucketOf("r-1", 64)).toBe(bucketOf("r-1", 64))
    for (let i = 0; i < 200; i++) {
      const bucket = bucketOf(`id-${i}`, 7)
      expect(Number.isInteger(bucket) && bucket >= 0 && bucket < 7).toBe(true)
    }
    // Part of the storage format: a changed hash would move records between buckets.
    expect([bucketOf("", 64), bucketOf("abc", 64), bucketOf("abc", 1000)]).toEqual([0xe3b0c442 % 64, 0xba7816bf % 64, 0xba7816bf % 1000])
  })

  it("saves and loads every bucket into another device's doc", () => {
    const doc = newDoc({ bucketCount: 8 })
    const { ids } = doc.createMany(Array.from({ length: 30 }, (_, i) => ({ ...LOGIN, title: `site ${i}` })))
    doc.update(ids[3], { set: { fields: { password: { value: "new", kind: "secret" } } } })
    const copy = new VaultDoc({}, { actorId: actorOf(1), bucketCount: 8 })
    for (let bucket = 0; bucket < 8; bucket++) copy.loadBucket(bucket, doc.saveBucket(bucket))
    expect(copy.list()).toEqual(doc.list())
    expect(copy.get(ids[3])).toEqual(doc.get(ids[3]))
    expect(copy.history(ids[3])).toEqual(doc.history(ids[3]))
    expect(copy.update(ids[3], { set: { title: "edited on the copy" } }).changes).toHaveLength(1)
  })

  it("refuses an unreadable snapshot with CORRUPT_DATA and keeps the bucket", () => {
    const doc = newDoc({ bucketCount: 1 })
    const { id } = doc.create(LOGIN)
    expect(codeOf(() => doc.loadBucket(0, new Uint8Array([1, 2, 3, 4, 5])))).toBe("CORRUPT_DATA")
    expect(doc.get(id)?.title).toBe("Mail")
    expect(codeOf(() => doc.saveBucket(65_536))).toBe("INVALID_PARAMS")
  })
})
