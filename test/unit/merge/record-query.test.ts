import { describe, expect, it } from "vitest"
import { findRecords, searchRecords } from "../../../src/merge/record-query.js"
import type { RecordSummary } from "../../../src/merge/types.js"

function record(id: string, title: string, fields: RecordSummary["fields"] = {}, extra: Partial<RecordSummary> = {}): RecordSummary {
  return { id, type: "login", title, fields, tags: [], favorite: false, trashed: false, createdAt: 0, updatedAt: 0, ...extra }
}

const MAIL = record("aa11-mail", "Mail", { username: { kind: "text", value: "ann" }, url: { kind: "url", value: "https://www.mail.example/login" }, password: { kind: "secret" } })
const WORK_MAIL = record("bb22-work", "Work mail", { website: { kind: "text", value: "webmail.corp.example" } }, { tags: ["office"] })
const BANK = record("cc33-bank", "Bank", { iban: { kind: "text", value: "DE00 1234" } })
const OLD = record("aa99-old", "Mail", {}, { trashed: true })
const ALL = [MAIL, WORK_MAIL, BANK, OLD]
const NOTES: Record<string, string> = { "cc33-bank": "PIN letter in the drawer", "aa11-mail": "" }

describe("finding a record by QUERY", () => {
  it("finds by id, unique id prefix, exact title and URL host, case-insensitively, among live records", () => {
    expect(findRecords(ALL, "cc33-bank")).toEqual([BANK])
    expect(findRecords(ALL, "CC3")).toEqual([BANK])
    expect(findRecords(ALL, "mail")).toEqual([MAIL])
    expect(findRecords(ALL, "MAIL.example")).toEqual([MAIL])
    expect(findRecords(ALL, "https://mail.example/other")).toEqual([MAIL])
    expect(findRecords(ALL, "webmail.corp.example")).toEqual([WORK_MAIL])
  })

  it("returns every candidate when several match, and none for a part of a title", () => {
    expect(findRecords(ALL, "aa").map((r) => r.id)).toEqual(["aa11-mail"])
    expect(findRecords([...ALL, record("aa55", "Mail")], "Mail").map((r) => r.id)).toEqual(["aa11-mail", "aa55"])
    expect(findRecords(ALL, "ban")).toEqual([])
    expect(findRecords(ALL, "  ")).toEqual([])
  })

  it("looks in the trash by id only", () => {
    expect(findRecords(ALL, "aa9", { trashed: true })).toEqual([OLD])
    expect(findRecords(ALL, "Mail", { trashed: true })).toEqual([])
  })

  it("never matches a secret value", () => {
    const withSecret = record("dd44", "Shop", { password: { kind: "secret", value: "hunter22" }, seed: { kind: "totp", value: "JBSWY3DP" } })
    expect(findRecords([withSecret], "hunter22")).toEqual([])
    expect(searchRecords([withSecret], "hunter22", () => "")).toEqual([])
    expect(searchRecords([withSecret], "JBSWY3DP", () => "")).toEqual([])
  })
})

describe("searching records", () => {
  it("matches every word in titles, user names, URLs, tags and notes, and says where", () => {
    const notesOf = (id: string) => NOTES[id] ?? ""
    expect(searchRecords(ALL, "drawer", notesOf)).toEqual([{ record: BANK, matched: ["notes"] }])
    expect(searchRecords(ALL, "office", notesOf)).toEqual([{ record: WORK_MAIL, matched: ["tags"] }])
    expect(searchRecords(ALL, "ANN", notesOf)).toEqual([{ record: MAIL, matched: ["username"] }])
    expect(searchRecords(ALL, "mail", notesOf).map((hit) => hit.record.title)).toEqual(["Mail", "Work mail"])
    expect(searchRecords(ALL, "work corp", notesOf)).toEqual([{ record: WORK_MAIL, matched: ["title", "website"] }])
    expect(searchRecords(ALL, "work bank", notesOf)).toEqual([])
  })
})
