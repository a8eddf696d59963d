import { describe, expect, it } from "vitest"
import { READABLE_FORMATS, parseImport, readImport, type ImportFormat } from "../../../src/import/index.js"
import { LanvaultError } from "../../../src/errors.js"
import { fixture, importFixture, importText, secret, text, thrown, url } from "./helpers.js"

const GOOD_FIXTURES: Array<[string, ImportFormat]> = [
  ["chrome.csv", "chrome-csv"],
  ["chrome-old.csv", "chrome-csv"],
  ["keepassxc.csv", "keepassxc-csv"],
  ["keepassxc-old.csv", "keepassxc-csv"],
  ["1password.csv", "1password-csv"],
  ["1password7.csv", "1password-csv"],
  ["bitwarden.csv", "bitwarden-csv"],
  ["bitwarden-org.csv", "bitwarden-csv"],
  ["bitwarden.json", "bitwarden-json"],
  ["bitwarden-org.json", "bitwarden-json"],
  ["msecure.csv", "msecure-csv"],
  ["lanvault-export.json", "json"],
]

describe("parseImport", () => {
  it("lists every supported format", () => {
    expect([...READABLE_FORMATS].sort()).toEqual([
      "1password-1pux", "1password-csv", "apple-csv", "bitwarden-csv", "bitwarden-json", "chrome-csv", "csv", "dashlane-csv", "enpass-json",
      "firefox-csv", "json", "kdbx", "keepass-xml", "keepassxc-csv", "keeper-csv", "lastpass-csv", "msecure-csv", "nordpass-csv", "proton-json", "proton-zip",
    ])
  })

  it("refuses an unknown format, listing the supported ones", () => {
    const error = thrown(() => parseImport(fixture("chrome.csv"), "roboform-csv" as ImportFormat))
    expect(error.code).toBe("UNSUPPORTED_FORMAT")
    for (const format of READABLE_FORMATS) expect(error.message).toContain(format)
    expect(thrown(() => parseImport(fixture("chrome.csv"), "__proto__" as ImportFormat)).code).toBe("UNSUPPORTED_FORMAT")
  })

  it("refuses input that is not bytes", () => {
    expect(thrown(() => parseImport("name,url" as unknown as Uint8Array, "chrome-csv")).code).toBe("INVALID_PARAMS")
  })

  it("fails on a file that is not UTF-8, naming the byte offset and line", () => {
    const error = thrown(() => importFixture("chrome-latin1.csv", "chrome-csv"))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { line: 3, offset: 62 } })
    expect(error.message).toMatch(/line 3/)
    expect(error.message).toMatch(/byte 62/)
  })

  it("fails on a UTF-16 file, saying so", () => {
    const error = thrown(() => importFixture("chrome-utf16.csv", "chrome-csv"))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { line: 1, offset: 0 } })
    expect(error.message).toMatch(/UTF-16/)
  })

  it.each(GOOD_FIXTURES)("refuses %s under every other format", async (name, own) => {
    for (const format of READABLE_FORMATS) {
      if (format === own) continue
      // Keeper CSV has no header row: any CSV whose rows are wide enough reads as Keeper rows.
      if (format === "keeper-csv" && name.endsWith(".csv")) continue
      // Apple's columns are a subset of 1Password 8's: forced, a 1Password CSV reads as Apple's (without tags and favourites).
      if (format === "apple-csv" && name === "1password.csv") continue
      const error = await readImport(fixture(name), format, { password: "x" }).then(() => undefined, (e: unknown) => e)
      expect(error, `${name} as ${format}`).toBeInstanceOf(LanvaultError)
      expect((error as LanvaultError).code, `${name} as ${format}`).toBe("IMPORT_FAILED")
    }
  })

  it("skips an entry identical to a vault record (title compared case- and space-insensitively), keeps one that differs", () => {
    const fields = { username: text("ann"), url: url("https://github.com/session"), password: secret('quote"inside') }
    const existing = [{ type: "login", title: " GITHUB.com", fields, notes: "Recovery codes are in the safe", tags: [] }]
    const result = importFixture("chrome.csv", "chrome-csv", { existing })
    expect(result.duplicates).toEqual([{ line: 3, title: "github.com", reason: expect.stringContaining("vault") }])
    expect(result.kept).toEqual([{ line: 9, title: "github.com", reason: expect.stringContaining("a record already in the vault") }])
    expect(result.records.filter((r) => r.title === "github.com")).toHaveLength(1)
  })

  it("keeps two notes that share a title but not their content", () => {
    const csv = "Title,Url,Username,Password,Notes\nRecipe,,,,flour\nRecipe,,,,rice\nRecipe,,,,flour\n"
    const result = importText(csv, "1password-csv")
    expect(result.records.map((r) => r.notes)).toEqual(["flour", "rice"])
    expect(result.duplicates).toEqual([{ line: 4, title: "Recipe", reason: expect.stringContaining("line 2") }])
    const existing = [{ type: "note", title: "recipe", fields: {}, notes: "rice", tags: [] }]
    expect(importText(csv, "1password-csv", { existing }).records.map((r) => r.notes)).toEqual(["flour"])
  })

  it("finds a duplicate among thousands of entries that share title, username and password but not their notes", () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => `Recipe,,cook,pw,note ${i}`)
    // The first one again (title in other case), then one more that differs.
    const csv = `Title,Url,Username,Password,Notes\n${rows.join("\n")}\n RECIPE ,,cook,pw,note 0\nRecipe,,cook,pw,note new\n`
    const result = importText(csv, "1password-csv")
    expect(result.records).toHaveLength(3_001)
    expect(result.duplicates).toEqual([{ line: 3_002, title: "RECIPE", reason: expect.stringContaining("line 2") }])
    expect(result.records.at(-1)?.notes).toBe("note new")
  })

  it("keeps logins that differ only in username or URL", () => {
    const csv = "name,url,username,password\nmail,https://a.example,ann,1\nmail,https://a.example,bob,2\nmail,https://b.example,ann,3\n"
    expect(importText(csv, "chrome-csv").records).toHaveLength(3)
  })

  it("gives a field name already taken a number instead of overwriting it", () => {
    const csv = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n,,login,A,,"password: custom\nurl: custom-url\nnote1: x\nnote1: y",0,https://a.example,u,real,\n'
    expect(importText(csv, "bitwarden-csv").records[0].fields).toEqual({
      username: text("u"),
      password: secret("real"),
      url: url("https://a.example"),
      password2: secret("custom"),
      url2: text("custom-url"),
      note1: text("x"),
      "note1 2": text("y"),
    })
  })
})
