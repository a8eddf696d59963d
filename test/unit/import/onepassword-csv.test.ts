import { describe, expect, it } from "vitest"
import { importFixture, importText, secret, text, thrown, totp, url } from "./helpers.js"

describe("1password-csv", () => {
  const result = importFixture("1password.csv", "1password-csv")

  it("maps a login with OTP, favorite, tags split on ';' and a multi-line note", () => {
    expect(result.records[0]).toEqual({
      type: "login",
      title: "Example",
      fields: {
        username: text("ada@example.com"),
        password: secret("p@ss,word"),
        url: url("https://example.com"),
        totp: totp("otpauth://totp/Example?secret=JBSWY3DPEHPK3PXP"),
      },
      notes: "line one\nline two",
      tags: ["work", "finance"],
      favorite: true,
    })
  })

  it("keeps archived items, tagged 'archived'", () => {
    expect(result.records[2]).toMatchObject({ title: "Old bank", tags: ["finance", "archived"], favorite: false })
  })

  it("imports an item with only notes as a note, and names an untitled one after its host", () => {
    expect(result.records[3]).toEqual({ type: "note", title: "Ünïcødé 🦄", fields: {}, notes: "just a note — nothing else", tags: [], favorite: false })
    expect(result.records[4]).toMatchObject({ title: "untitled.example", fields: { username: text("someone") } })
    expect(result.records).toHaveLength(5)
  })

  it("matches 1Password 7 headers case-insensitively, in any order, keeping unknown columns as fields", () => {
    expect(importFixture("1password7.csv", "1password-csv").records).toEqual([
      {
        type: "login",
        title: "Mail",
        fields: { username: text("me@mail.example"), password: secret("s3cret"), url: url("https://mail.example"), "custom extra": text("ignored") },
        notes: "from 1Password 7, columns picked by hand",
        tags: [],
        favorite: false,
      },
    ])
  })

  it("fails on a Chrome or KeePassXC export given as 1Password", () => {
    for (const name of ["chrome.csv", "keepassxc.csv"]) {
      const error = thrown(() => importFixture(name, "1password-csv"))
      expect(error.code).toBe("IMPORT_FAILED")
      expect(error.data).toEqual({ line: 1 })
    }
  })

  it("fails on an unclosed quote", () => {
    const error = thrown(() => importText('Title,Url,Username,Password\nA,https://a,u,p\nB,https://b,u,"p\n', "1password-csv"))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { line: 3 } })
  })
})
