import { describe, expect, it } from "vitest"
import { importFixture, importText, secret, text, thrown, totp, url } from "./helpers.js"

describe("bitwarden-csv", () => {
  const result = importFixture("bitwarden.csv", "bitwarden-csv")

  it("maps a login: several URIs, TOTP, custom fields, folder tag, favorite", () => {
    expect(result.records[0]).toEqual({
      type: "login",
      title: "Forum",
      fields: {
        username: text("ada"),
        password: secret('pa,ss"word'),
        url: url("https://forum.example"),
        url2: url("https://m.forum.example"),
        totp: totp("otpauth://totp/Forum:ada?secret=JBSWY3DPEHPK3PXP"),
        "Security question": text("first pet"),
        PIN: secret("4321"),
      },
      notes: "Signed up in 2019\nwith the old address",
      tags: ["Social/Forums"],
      favorite: true,
    })
  })

  it("maps a secure note", () => {
    expect(result.records[1]).toEqual({
      type: "note",
      title: "Wi-Fi à la maison",
      fields: {},
      notes: "Réseau: Maison 日本 🏠",
      tags: [],
      favorite: false,
    })
  })

  it("names an untitled login after its host and keeps the same login with other content as its own record, by line", () => {
    expect(result.records[2]).toMatchObject({ title: "untitled.example", fields: { password: secret("pw") } })
    expect(result.records).toHaveLength(4)
    expect(result.duplicates).toEqual([])
    expect(result.kept).toEqual([{ line: 8, title: "Forum", reason: expect.stringContaining("line 2") }])
  })

  it("turns an organization export's collections into tags", () => {
    expect(importFixture("bitwarden-org.csv", "bitwarden-csv").records[0]).toMatchObject({
      title: "Build server",
      tags: ["Engineering", "Ops"],
      fields: { username: text("ci-bot"), password: secret("ci-pass"), url: url("https://ci.example") },
    })
  })

  it("fails on a file of another format", () => {
    expect(thrown(() => importFixture("1password.csv", "bitwarden-csv"))).toMatchObject({ code: "IMPORT_FAILED", data: { line: 1 } })
  })

  it("fails on a truncated file", () => {
    const cut = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n,,login,A,"note that\n'
    expect(thrown(() => importText(cut, "bitwarden-csv"))).toMatchObject({ code: "IMPORT_FAILED", data: { line: 2 } })
  })
})
