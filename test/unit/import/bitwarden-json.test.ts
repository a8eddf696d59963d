import { describe, expect, it } from "vitest"
import { importFixture, importText, secret, text, thrown, totp, url } from "./helpers.js"

describe("bitwarden-json", () => {
  const result = importFixture("bitwarden.json", "bitwarden-json")
  const byTitle = (title: string) => result.records.find((record) => record.title === title)

  it("maps a login: URIs with their match rule, TOTP, text/hidden/boolean custom fields, folder tag, favorite, dates, password history", () => {
    expect(byTitle("Forum")).toEqual({
      type: "login",
      title: "Forum",
      fields: {
        username: text("ada"),
        password: secret('pa,ss"word'),
        url: url("https://forum.example/login"),
        url2: url("https://m.forum.example"),
        totp: totp("otpauth://totp/Forum:ada?secret=JBSWY3DPEHPK3PXP"),
        "Security question": text("first pet"),
        PIN: secret("4321"),
        Newsletter: text("true"),
        "url2 match": text("host"),
      },
      notes: "Signed up in 2019\nwith the old address",
      tags: ["Social/Forums"],
      favorite: true,
      createdAt: Date.parse("2023-01-01T10:00:00.000Z"),
      updatedAt: Date.parse("2024-05-01T10:00:00.000Z"),
      history: [{ field: "password", value: "older-pw", kind: "secret", changedAt: Date.parse("2024-03-01T10:00:00.000Z"), reason: "edited" }],
    })
  })

  it("maps a secure note", () => {
    expect(byTitle("Recette 日本 🍣")).toEqual({
      type: "note",
      title: "Recette 日本 🍣",
      fields: {},
      notes: "Riz, vinaigre, sucre\nnori",
      tags: [],
      favorite: false,
    })
  })

  it("maps a card: cardholder, secret number and code, MM/YYYY expiry, brand", () => {
    expect(byTitle("Visa de Zoé")).toEqual({
      type: "card",
      title: "Visa de Zoé",
      fields: {
        cardholder: text("Zoé Martin"),
        number: secret("4111111111111111"),
        expiry: text("05/2027"),
        code: secret("123"),
        brand: text("Visa"),
      },
      notes: "",
      tags: ["Finances 💶"],
      favorite: false,
    })
  })

  it("maps an identity, name parts and address lines apart, leaving out empty parts", () => {
    expect(byTitle("Me")).toMatchObject({
      type: "identity",
      title: "Me",
      fields: {
        "name-title": text("Ms"),
        "first-name": text("Ada"),
        "last-name": text("Lovelace"),
        company: text("Analytical Engines Ltd"),
        email: { value: "ada@example.com", kind: "email" },
        phone: { value: "+44 20 7946 0000", kind: "phone" },
        address: text("12 St James's Square"),
        address2: text("Flat 3"),
        city: text("London"),
        "postal-code": text("SW1Y 4JH"),
        country: text("GB"),
        username: text("ada"),
        ssn: secret("QQ123456C"),
        passport: secret("123456789"),
      },
      notes: "",
      tags: [],
      favorite: false,
    })
  })

  it("maps an SSH key with a secret private key", () => {
    expect(byTitle("Deploy key")).toMatchObject({
      type: "ssh-key",
      fields: {
        "private-key": { kind: "secret", value: expect.stringContaining("BEGIN OPENSSH PRIVATE KEY") },
        "public-key": text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI deploy@example"),
        fingerprint: text("SHA256:abc123"),
      },
    })
  })

  it("names an untitled login after its host; skips trashed and unknown items; keeps the same login with another password as its own record", () => {
    expect(byTitle("untitled.example")).toMatchObject({ fields: { password: secret("pw") } })
    expect(result.records).toHaveLength(7)
    expect(result.skipped).toEqual([
      { title: "Deleted login", reason: expect.stringContaining("trash") },
      { title: "From the future", reason: expect.stringContaining("type 9") },
    ])
    expect(result.duplicates).toEqual([])
    expect(result.kept).toEqual([{ title: "forum", reason: expect.stringMatching(/a different .*password/) }])
  })

  it("turns an organization export's collections into tags", () => {
    expect(importFixture("bitwarden-org.json", "bitwarden-json").records[0].tags).toEqual(["Engineering", "Ops/On-call"])
  })

  it("refuses an encrypted export, saying to export unencrypted", () => {
    const error = thrown(() => importFixture("bitwarden-encrypted.json", "bitwarden-json"))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.message).toMatch(/encrypted/)
  })

  it("fails on a truncated file, naming the line where it ends", () => {
    const error = thrown(() => importFixture("bitwarden-truncated.json", "bitwarden-json"))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { line: 19 } })
  })

  it("fails on a syntax error, naming its line", () => {
    const error = thrown(() => importText('{\n  "items": [\n    { "type": 1, }\n  ]\n}', "bitwarden-json"))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { line: 3 } })
  })

  it("skips an item whose type is not a number, without calling into it", () => {
    const result = importText('{"items":[{"type":{"toString":""},"name":"odd","fields":[{"type":{"valueOf":1},"name":"f","value":"v"}]}]}', "bitwarden-json")
    expect(result.records).toEqual([])
    expect(result.skipped).toEqual([{ title: "odd", reason: expect.stringContaining("unsupported") }])
  })

  it("fails on JSON that is not a Bitwarden export, or holds a damaged item", () => {
    expect(thrown(() => importText('{"records": []}', "bitwarden-json")).code).toBe("IMPORT_FAILED")
    expect(thrown(() => importText("[1, 2]", "bitwarden-json")).code).toBe("IMPORT_FAILED")
    expect(thrown(() => importText('{"items": [{"type": 1, "name": "ok"}, 42]}', "bitwarden-json")).code).toBe("IMPORT_FAILED")
  })
})
