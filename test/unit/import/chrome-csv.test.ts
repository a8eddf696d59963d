import { describe, expect, it } from "vitest"
import { importFixture, importText, secret, text, thrown, url } from "./helpers.js"

describe("chrome-csv", () => {
  const result = importFixture("chrome.csv", "chrome-csv")

  it("maps each row to a login with username, password, url and notes", () => {
    expect(result.records[0]).toEqual({
      type: "login",
      title: "accounts.google.com",
      fields: { username: text("ann@example.com"), password: secret("p@ss,word"), url: url("https://accounts.google.com/signin/v2") },
      notes: "",
      tags: [],
      favorite: false,
    })
    expect(result.records[1].fields?.password).toEqual(secret('quote"inside'))
    expect(result.records[1].notes).toBe("Recovery codes are in the safe")
  })

  it("keeps unicode, commas and line breaks inside quoted values", () => {
    expect(result.records[2]).toMatchObject({
      title: "Café Crème",
      fields: { username: text("zoé"), password: secret("mötdepässe"), url: url("https://café.example/login") },
      notes: "line one\nline two, with a comma",
    })
    expect(result.records[3]).toMatchObject({
      title: "日本語サイト",
      fields: { username: text("太郎"), password: secret("パスワード🔑"), url: url("https://例え.jp/ログイン") },
      notes: "絵文字 🎉",
    })
  })

  it("names an untitled row after its URL's host, else its username", () => {
    expect(result.records[4]).toMatchObject({ title: "noname.example", fields: { password: secret("no-title-pw") } })
    expect(result.records[4].fields).not.toHaveProperty("username")
    expect(result.records[6]).toMatchObject({ title: "bob", fields: { username: text("bob"), password: secret("pw-bob") } })
  })

  it("skips rows with nothing to name them after, and reports them by line", () => {
    expect(result.skipped).toEqual([
      { line: 8, reason: "empty entry" },
      { line: 11, reason: expect.stringContaining("no title") },
    ])
  })

  it("keeps a login with the same title, username and URL but another password as its own record, and says so by line", () => {
    expect(result.duplicates).toEqual([])
    expect(result.kept).toEqual([{ line: 9, title: "github.com", reason: expect.stringMatching(/line 3.*password, notes/) }])
    expect(result.records.filter((r) => r.title === "github.com").map((r) => r.fields?.password?.value)).toEqual(['quote"inside', "other-password"])
    expect(result.records).toHaveLength(7)
  })

  it("skips only a truly identical row, naming the line it repeats", () => {
    const csv = "name,url,username,password,note\nmail,https://m.example,ann,pw,n\nmail,https://m.example,ann,pw,n\nmail,https://m.example,ann,pw2,n\n"
    const again = importText(csv, "chrome-csv")
    expect(again.records.map((r) => r.fields?.password?.value)).toEqual(["pw", "pw2"])
    expect(again.duplicates).toEqual([{ line: 3, title: "mail", reason: expect.stringContaining("identical to line 2") }])
    expect(again.kept).toEqual([{ line: 4, title: "mail", reason: expect.stringContaining("a different password") }])
  })

  it("reads a row that lacks the trailing note cell (Chrome leaves it out)", () => {
    const csv = "name,url,username,password,note\nmail,https://m.example,ann,pw\nweb,https://w.example,bob,pw2,a note\n"
    expect(importText(csv, "chrome-csv").records.map((r) => [r.title, r.notes])).toEqual([["mail", ""], ["web", "a note"]])
  })

  it("reads the older export without a note column, with CRLF line ends", () => {
    expect(importFixture("chrome-old.csv", "chrome-csv").records).toEqual([
      {
        type: "login",
        title: "example.com",
        fields: { username: text("me"), password: secret("pw"), url: url("https://example.com/") },
        notes: "",
        tags: [],
        favorite: false,
      },
    ])
  })

  it("ignores a UTF-8 byte order mark", () => {
    expect(importFixture("chrome-bom.csv", "chrome-csv").records.map((r) => r.title)).toEqual(["BOM site"])
  })

  it("accepts extra columns and a header in another case", () => {
    const result = importText("Name,URL,Username,Password,Note,extra\nsite,https://s.example,u,p,n,whatever\n", "chrome-csv")
    expect(result.records[0]).toMatchObject({ title: "site", fields: { username: text("u") }, notes: "n" })
  })

  it("parses a 5,000-row export", () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `site${i}.example,https://site${i}.example/login,user${i},"pw,${i}","note ${i}"`)
    const result = importText(["name,url,username,password,note", ...rows].join("\n"), "chrome-csv")
    expect(result.records).toHaveLength(5_000)
    expect(result.records[4_999]).toMatchObject({ title: "site4999.example", fields: { password: secret("pw,4999") } })
    expect(result.skipped).toEqual([])
    expect(result.duplicates).toEqual([])
  })

  it("fails on a file cut short inside a quoted value, naming the line it opened on", () => {
    const error = thrown(() => importFixture("chrome-truncated.csv", "chrome-csv"))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.data).toEqual({ line: 3 })
    expect(error.message).toMatch(/line 3/)
  })

  it("fails on a row with fewer columns than the header", () => {
    const error = thrown(() => importFixture("chrome-cut-row.csv", "chrome-csv"))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.data).toEqual({ line: 3 })
  })

  it("fails on an empty file", () => {
    expect(thrown(() => importText("", "chrome-csv")).code).toBe("IMPORT_FAILED")
  })

  it("reads a header-only file as no records", () => {
    expect(importText("name,url,username,password,note\n", "chrome-csv")).toEqual({ format: "chrome-csv", kept: [], notCarried: [], records: [], skipped: [], duplicates: [] })
  })
})
