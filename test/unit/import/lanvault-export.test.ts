import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { exportRecords, parseImport } from "../../../src/import/index.js"
import { importFixture, importText, secret, text, thrown, url } from "./helpers.js"
import { arbitraryRecords, inputOf, jsonInputOf, SAMPLE_RECORDS, vaultRecord } from "./records.js"

const bytes = (s: string) => new TextEncoder().encode(s)

describe("exportRecords json", () => {
  it("writes the v1 layout without ids", () => {
    const doc = JSON.parse(exportRecords(SAMPLE_RECORDS.slice(0, 1), "json"))
    expect(doc).toMatchObject({ format: "lanvault-export", version: 1, exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    expect(doc.records[0]).not.toHaveProperty("id")
    expect(doc.records[0]).not.toHaveProperty("trashed")
    expect(doc.records[0]).toMatchObject({ title: 'Forum, "the" one', createdAt: 1_736_900_000_000, updatedAt: 1_736_933_400_000 })
  })

  it("round-trips through parseImport json losslessly", () => {
    const result = parseImport(bytes(exportRecords(SAMPLE_RECORDS, "json")), "json")
    expect(result.records).toEqual(SAMPLE_RECORDS.map(jsonInputOf))
    expect(Object.hasOwn(result.records[4].fields ?? {}, "__proto__")).toBe(true)
    expect(Object.getPrototypeOf(result.records[4].fields)).toBe(Object.prototype)
    expect(result.skipped).toEqual([])
    expect(result.duplicates).toEqual([])
  })

  it("round-trips arbitrary records losslessly", () => {
    fc.assert(
      fc.property(arbitraryRecords({ csvSafe: false }), (records) => {
        const result = parseImport(bytes(exportRecords(records, "json")), "json")
        expect(result.records).toEqual(records.map(jsonInputOf))
        expect(result.duplicates).toEqual([])
      }),
      { numRuns: 300 },
    )
  })

  it("marks trashed records, and import skips them with a reason", () => {
    const trashed = vaultRecord({ title: "Old", trashed: true })
    expect(JSON.parse(exportRecords([trashed], "json")).records[0].trashed).toBe(true)
    const result = parseImport(bytes(exportRecords([SAMPLE_RECORDS[0], trashed], "json")), "json")
    expect(result.records).toEqual([jsonInputOf(SAMPLE_RECORDS[0])])
    expect(result.skipped).toEqual([{ title: "Old", reason: expect.stringContaining("trash") }])
  })

  it("reports every record as a duplicate when re-imported into the vault it came from", () => {
    const result = parseImport(bytes(exportRecords(SAMPLE_RECORDS, "json")), "json", { existing: SAMPLE_RECORDS })
    expect(result.records).toEqual([])
    expect(result.duplicates.map((d) => d.title)).toEqual(SAMPLE_RECORDS.map((r) => r.title))
  })

  it("reads the v1 fixture", () => {
    const result = importFixture("lanvault-export.json", "json")
    expect(result.records[0]).toEqual({
      type: "login",
      title: "Forum",
      fields: {
        username: text("ada"),
        password: secret('pa,ss"word'),
        url: url("https://forum.example"),
        url2: url("https://m.forum.example"),
        totp: { value: "otpauth://totp/Forum:ada?secret=JBSWY3DPEHPK3PXP", kind: "totp" },
      },
      notes: "first line\nsecond line",
      tags: ["Social/Forums"],
      favorite: true,
      createdAt: 1_736_900_000_000,
      updatedAt: 1_736_933_400_000,
    })
    expect(result.records[1].fields).toMatchObject({ issued: { kind: "date" }, limit: { kind: "number" } })
    expect(result.skipped).toEqual([{ title: "Old note", reason: expect.stringContaining("trash") }])
  })

  it("fails on another version, a damaged record, or an unknown field kind", () => {
    const wrap = (records: unknown, version = 1) => JSON.stringify({ format: "lanvault-export", version, records })
    expect(thrown(() => importText(wrap([], 2), "json")).code).toBe("IMPORT_FAILED")
    expect(thrown(() => importText(wrap([{ title: "no type" }]), "json")).code).toBe("IMPORT_FAILED")
    expect(thrown(() => importText(wrap([{ type: "login", title: "t", tags: "a" }]), "json")).code).toBe("IMPORT_FAILED")
    const badKind = [{ type: "login", title: "t", fields: { x: { value: "v", kind: "colour" } } }]
    expect(thrown(() => importText(wrap(badKind), "json")).code).toBe("IMPORT_FAILED")
    expect(thrown(() => importText(wrap([{ type: "login", title: "t", fields: { x: { value: 1, kind: "text" } } }]), "json")).code).toBe("IMPORT_FAILED")
  })

  it("fails on a truncated export, naming the last line", () => {
    const full = exportRecords(SAMPLE_RECORDS, "json")
    const cut = full.slice(0, Math.floor(full.length / 2))
    const error = thrown(() => importText(cut, "json"))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { line: cut.split("\n").length } })
  })
})

describe("exportRecords csv", () => {
  const csv = exportRecords(SAMPLE_RECORDS, "csv")

  it("writes one header and RFC 4180 quoting", () => {
    const lines = csv.split("\r\n")
    expect(lines[0]).toBe("type,title,username,password,url,notes,tags,favorite,fields")
    expect(lines[1]).toMatch(/^login,"Forum, ""the"" one",ada,"pa,ss""word\nwith a line",https:\/\/forum\.example,"first line\nsecond line, with a comma",Social\/Forums;Work,true,"\{/)
    expect(csv.endsWith("\r\n")).toBe(true)
  })

  it("puts only fields with their usual kind in the username/password/url columns", () => {
    const identity = parseImport(bytes(csv), "1password-csv").records.find((r) => r.title === "日本語の名前")
    // Read as 1Password's, only the extra "fields" column (JSON, kept as a field since nothing is dropped) holds them.
    expect(Object.keys(identity?.fields ?? {})).toEqual(["fields"])
  })

  it("quotes a cell holding only a line break (LF or CR), so the row stays whole", () => {
    const records = [vaultRecord({ title: "two lines", notes: "a\nb" }), vaultRecord({ title: "cr", notes: "c\rd" })]
    expect(parseImport(bytes(exportRecords(records, "csv")), "csv").records.map((r) => r.notes)).toEqual(["a\nb", "c\nd"])
  })

  it("re-imports as csv with types, kinds, notes, tags and favorite", () => {
    const result = parseImport(bytes(csv), "csv")
    expect(result.records).toEqual(SAMPLE_RECORDS.map(inputOf))
    expect(result.skipped).toEqual([])
  })

  it("re-imports arbitrary records as csv (CR and ';' in tags aside)", () => {
    fc.assert(
      fc.property(arbitraryRecords({ csvSafe: true }), (records) => {
        const result = parseImport(bytes(exportRecords(records, "csv")), "csv")
        expect(result.records).toEqual(records.map(inputOf))
      }),
      { numRuns: 300 },
    )
  })

  it("re-imports as 1password-csv keeping title, username, password, url and notes", () => {
    const result = parseImport(bytes(csv), "1password-csv")
    const forum = result.records[0]
    expect(forum).toMatchObject({
      title: 'Forum, "the" one',
      fields: { username: text("ada"), password: secret('pa,ss"word\nwith a line'), url: url("https://forum.example") },
      notes: "first line\nsecond line, with a comma",
      tags: ["Social/Forums", "Work"],
      favorite: true,
    })
    expect(result.records.map((r) => r.title)).toEqual(SAMPLE_RECORDS.map((r) => r.title))
  })

  it("leaves trashed records out", () => {
    const out = exportRecords([vaultRecord({ title: "Gone", trashed: true }), vaultRecord({ title: "Kept" })], "csv")
    expect(parseImport(bytes(out), "csv").records.map((r) => r.title)).toEqual(["Kept"])
  })

  it("fails on a damaged fields cell, naming the line", () => {
    const bad = 'type,title,username,password,url,notes,tags,favorite,fields\nlogin,A,u,p,,,,false,\nlogin,B,u,p,,,,false,"{""x"": 1"\n'
    expect(thrown(() => importText(bad, "csv"))).toMatchObject({ code: "IMPORT_FAILED" })
    expect(thrown(() => importText(bad, "csv")).message).toMatch(/line 3/)
  })
})

describe("exportRecords", () => {
  it("refuses an unknown format", () => {
    expect(thrown(() => exportRecords([], "xml" as never)).code).toBe("UNSUPPORTED_FORMAT")
  })
})
