import { describe, expect, it } from "vitest"
import { importFixture, importText, secret, text, thrown, totp, url } from "./helpers.js"

describe("keepassxc-csv", () => {
  const result = importFixture("keepassxc.csv", "keepassxc-csv")

  it("maps an entry in the root group to an untagged login", () => {
    expect(result.records[0]).toEqual({
      type: "login",
      title: "Forum",
      fields: { username: text("ada"), password: secret("kp-secret-1"), url: url("https://forum.example") },
      notes: "",
      tags: [],
      favorite: false,
      createdAt: Date.parse("2024-01-01T10:00:00Z"),
      updatedAt: Date.parse("2024-09-01T10:00:00Z"),
    })
  })

  it("keeps the TOTP, quotes and a CRLF note, and tags by group path without the root", () => {
    expect(result.records[1]).toEqual({
      type: "login",
      title: "Mail ✉️",
      fields: {
        username: text("ada@example.com"),
        password: secret('p"w,1'),
        url: url("https://mail.example.com"),
        totp: totp("otpauth://totp/Mail:ada?secret=JBSWY3DPEHPK3PXP&issuer=Mail"),
      },
      notes: 'Recovery: "blue"\nsecond line',
      tags: ["Email"],
      favorite: false,
      createdAt: Date.parse("2024-01-02T10:00:00Z"),
      updatedAt: Date.parse("2024-09-02T10:00:00Z"),
    })
    expect(result.records[2]).toMatchObject({ title: "Routeur de l'étage", tags: ["Work/Servers"] })
  })

  it("imports an entry with only notes as a note", () => {
    expect(result.records[3]).toEqual({
      type: "note",
      title: "Guest Wi-Fi code",
      fields: {},
      notes: "The guest code is 1234",
      tags: [],
      favorite: false,
      createdAt: Date.parse("2024-01-05T10:00:00Z"),
      updatedAt: Date.parse("2024-09-05T10:00:00Z"),
    })
  })

  it("skips the recycle bin and empty entries, and keeps a case-insensitive same login with another password", () => {
    expect(result.records).toHaveLength(5)
    expect(result.skipped).toEqual([
      { line: 6, title: "Old forum", reason: expect.stringContaining("recycle bin") },
      { line: 8, reason: "empty entry" },
    ])
    expect(result.duplicates).toEqual([])
    expect(result.kept).toEqual([{ line: 9, title: "forum", reason: expect.stringContaining("line 2") }])
  })

  it("reads the older six-column export with a custom root group name", () => {
    const old = importFixture("keepassxc-old.csv", "keepassxc-csv")
    expect(old.records).toEqual([
      {
        type: "login",
        title: "Bank",
        fields: { username: text("jo"), password: secret("b@nk"), url: url("https://bank.example") },
        notes: "PIN in the drawer",
        tags: [],
        favorite: false,
      },
      {
        type: "login",
        title: "Librairie",
        fields: { username: text("jo"), password: secret("livres"), url: url("https://livres.example") },
        notes: "",
        tags: ["Shopping/Books"],
        favorite: false,
      },
    ])
  })

  it("fails on a Chrome export given as KeePassXC, naming line 1 and the likely format", () => {
    const error = thrown(() => importFixture("chrome.csv", "keepassxc-csv"))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.data).toEqual({ line: 1 })
    expect(error.message).toContain("chrome-csv")
  })

  it("fails on a row cut short", () => {
    const cut = '"Group","Title","Username","Password","URL","Notes"\n"Root","A","u","p","",""\n"Root","B","u"\n'
    const error = thrown(() => importText(cut, "keepassxc-csv"))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.data).toEqual({ line: 3 })
  })
})
