import { describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { readImport, type ImportFormat } from "../../../src/import/index.js"
import { fixture, secret, text, totp, url } from "./helpers.js"

const read = (name: string, format?: ImportFormat) => readImport(fixture(name), format)
const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error("expected a failure") }, (error: unknown) => error as LanvaultError)
const TOTP = "otpauth://totp/Mail:ann?secret=JBSWY3DPEHPK3PXP"

describe("LastPass CSV", () => {
  it("keeps notes, folders as tags, favourites and TOTP; maps a credit-card note to a card; leaves folder rows out; skips only the identical row", async () => {
    const result = await read("lastpass.csv")
    expect(result.records[0]).toMatchObject({ title: "Mail", notes: "first line\nsecond line", tags: ["Work/Email"], favorite: true, fields: { totp: totp("JBSWY3DPEHPK3PXP"), password: secret("p@ss,1") } })
    expect(result.records[1]).toMatchObject({ type: "card", title: "Visa", notes: "card note\nsecond card line", fields: { cardholder: text("Zoé Martin"), number: secret("4111111111111111"), code: secret("123") } })
    expect(result.records[2]).toMatchObject({ type: "note", notes: "Just a plain note, with ünïcödé" })
    expect(result.skipped).toEqual([{ line: 15, title: "Empty folder", reason: expect.stringContaining("folder") }])
    expect(result.duplicates).toEqual([{ line: 16, title: "Mail", reason: "identical to line 2" }])
  })
})

describe("CSV formats", () => {
  it("Firefox: titles from the host, realm kept, created and changed times kept", async () => {
    const result = await read("firefox.csv")
    expect(result.records[0]).toMatchObject({ title: "accounts.example.com", createdAt: 1_700_000_000_000, updatedAt: 1_705_000_000_000 })
    expect(result.records[1].fields).toMatchObject({ "http-realm": text("Router realm"), password: secret("r0uter") })
  })

  it("Apple Passwords: BOM, CRLF, multi-line notes, OTPAuth, and a row without its trailing cells", async () => {
    const result = await read("apple.csv")
    expect(result.records.map((r) => r.title)).toEqual(["example.com (ann)", "Café", "short row"])
    expect(result.records[0]).toMatchObject({ notes: "note with\ntwo lines", fields: { totp: { kind: "totp", value: expect.stringContaining("otpauth://") } } })
  })

  it("Dashlane: second username, category tag, otpUrl", async () => {
    const result = await read("dashlane.csv")
    expect(result.records[0]).toMatchObject({ tags: ["Email"], notes: "line 1\nline 2", fields: { username2: text("ann.alt"), totp: totp(TOTP) } })
  })

  it("NordPass: folders as tags (folder rows named, not imported), extra URLs, custom fields with their secret flag, cards and identities", async () => {
    const result = await read("nordpass.csv")
    expect(result.records.map((r) => r.type)).toEqual(["login", "card", "identity", "note"])
    expect(result.records[0]).toMatchObject({ tags: ["Work"], fields: { url2: url("https://m.mail.example"), Recovery: secret("r3c0v3ry"), Hint: text("blue") } })
    expect(result.records[1].fields).toMatchObject({ number: secret("4111111111111111"), code: secret("123"), pin: secret("9876") })
    expect(result.skipped).toEqual([{ line: 2, title: "Work", reason: expect.stringContaining("folder") }])
  })

  it("Keeper: no header, folders and shared folders as tags, TFC:Keeper as TOTP, custom pairs as fields", async () => {
    const result = await read("keeper.csv")
    expect(result.records[0]).toMatchObject({ title: "Mail", notes: "note line 1\nnote line 2", tags: ["Work"], fields: { totp: totp(TOTP), "Recovery PIN": secret("4321") } })
    expect(result.records[1].tags).toEqual(["Personal/Shopping", "Shared A"])
  })
})

describe("JSON, XML and ZIP formats", () => {
  it("Enpass: typed fields, sensitive flag, nested folders, password history, archived tag, Wi-Fi; trash skipped; attachments named", async () => {
    const result = await read("enpass.json")
    expect(result.records[0]).toMatchObject({
      title: "Mail", tags: ["Work/Email"], favorite: true, createdAt: 1_690_000_000_000,
      fields: { email: { value: "ann@example.com", kind: "email" }, "Security answer": secret("Rex"), totp: totp("JBSWY3DPEHPK3PXP") },
      history: [{ field: "password", value: "older-enpass-pw", kind: "secret", changedAt: 1_695_000_000_000, reason: "edited" }],
    })
    expect(result.records.map((r) => r.type)).toEqual(["login", "card", "note", "wifi"])
    expect(result.records[2].tags).toEqual(["Work", "archived"])
    expect(result.skipped).toEqual([{ title: "Deleted", reason: expect.stringContaining("trash") }])
    expect(result.notCarried).toEqual([{ title: "Mail", items: ["attachment scan.pdf"] }])
  })

  it("Proton Pass JSON and ZIP: every URL, email and username, extra fields with types, vault tags, pinned, dates; passkeys named", async () => {
    for (const name of ["proton.json", "proton.zip"]) {
      const result = await read(name)
      expect(result.records[0]).toMatchObject({
        title: "Mail", tags: ["Personal"], favorite: true, createdAt: 1_700_000_000_000, updatedAt: 1_705_000_000_000,
        fields: { username: text("ann"), email: { value: "ann@example.com", kind: "email" }, url2: url("https://m.mail.example/"), "Recovery code": secret("r3c0v3ry"), "Second factor": { kind: "totp" } },
      })
      expect(result.records.map((r) => r.type)).toEqual(["login", "card", "login", "note"])
      expect(result.notCarried).toEqual([{ title: "Mail", items: ["passkey for mail.example"] }])
      expect(result.skipped).toEqual([{ title: "Trashed", reason: expect.stringContaining("trash") }])
    }
  })

  it("1Password 1PUX: login fields, sections, TOTP, every URL, tags and vault, password history; card ids; documents and passkeys named", async () => {
    const result = await read("onepassword.1pux")
    expect(result.records[0]).toMatchObject({
      title: "Mail", tags: ["Personal", "email", "Work/Team"], favorite: true,
      fields: { username: text("ann"), password: secret("1p-pw"), url2: url("https://m.mail.example"), "one-time password": totp(TOTP), "recovery key": secret("r3c0v3ry") },
      history: [{ field: "password", value: "older-1p-pw", kind: "secret", changedAt: 1_695_000_000_000, reason: "edited" }],
    })
    expect(result.records[1].fields).toMatchObject({ number: secret("4111111111111111"), code: secret("123"), expiry: text("05/2027") })
    expect(result.notCarried).toEqual([{ title: "Mail", items: ["passkey for mail.example"] }, { title: "Passport scan", items: ["attachment passport.pdf"] }])
  })

  it("1PUX without export.data says which member is missing", async () => {
    const error = await failure(read("onepassword-no-data.1pux"))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.message).toMatch(/no export\.data/)
  })

  it("KeePass XML: groups as tags, protected fields as secrets, TimeOtp as TOTP, KP2A URLs, history, dates; recycle bin skipped; attachments named", async () => {
    const result = await read("keepass.xml")
    expect(result.records[0]).toMatchObject({
      title: "Mail", tags: ["important", "mail"], notes: "line one\nline two — ünïcode", createdAt: Date.parse("2023-01-01T10:00:00Z"),
      fields: { PIN: secret("4321"), Hint: text("blue"), url2: url("https://m.mail.example"), totp: { kind: "totp", value: expect.stringContaining("secret=JBSWY3DPEHPK3PXP") } },
      history: [{ field: "password", value: "older-xml-pw", kind: "secret", changedAt: Date.parse("2023-06-01T10:00:00Z"), reason: "edited" }],
    })
    expect(result.records[1]).toMatchObject({ title: "Build server", tags: ["Work/Servers"], fields: { totp: { kind: "totp" } } })
    expect(result.skipped).toEqual([{ title: "Deleted entry", reason: expect.stringContaining("recycle bin") }])
    expect(result.notCarried).toEqual([{ title: "Mail", items: ["attachment scan.pdf"] }])
  })

  it("a cut-short KeePass XML names the line where it ends", async () => {
    const error = await failure(read("keepass-truncated.xml"))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.message).toMatch(/^line \d+: the XML ends inside <\w+>/)
  })

  it("an encrypted Bitwarden export or ZIP says to export without encryption", async () => {
    for (const name of ["bitwarden-encrypted.json", "proton-encrypted.zip"]) expect((await failure(read(name))).message).toMatch(/without encryption/)
  })
})
