import { describe, expect, it } from "vitest"
import { importFixture, importText, secret, text, thrown, url } from "./helpers.js"

describe("msecure-csv", () => {
  const result = importFixture("msecure.csv", "msecure-csv")
  const byTitle = (title: string) => result.records.find((record) => record.title === title)

  it("maps a login, keeping '|' inside values and turning literal \\n into line breaks", () => {
    expect(byTitle("Bitwarden")).toEqual({
      type: "login",
      title: "Bitwarden",
      fields: { url: url("bitwarden.com"), username: text("bitwarden user"), password: secret("bitpassword") },
      notes: "",
      tags: [],
      favorite: false,
    })
    expect(byTitle("Example")).toMatchObject({
      fields: { username: text("username || lol"), password: secret("this is a password") },
      notes: "This is a note |\nwith a second line",
      tags: [],
    })
  })

  it("maps a credit card by field name, keeping unknown fields and dropping empty ones", () => {
    expect(byTitle("myCreditCard")).toEqual({
      type: "card",
      title: "myCreditCard",
      fields: {
        number: secret("41111111111111111"),
        expiry: text("05/2026"),
        code: secret("123"),
        cardholder: text("John Doe"),
        pin: secret("1234"),
        bank: text("Visa"),
        "Billing Address": text("1 Rue de la Paix, Paris"),
      },
      notes: "",
      tags: ["Finance"],
      favorite: false,
    })
  })

  it("reads the variant with the id on the type column", () => {
    expect(byTitle("Mail")).toEqual({
      type: "login",
      title: "Mail",
      fields: { url: url("https://mail.example"), username: text("ann"), password: secret("pw") },
      notes: "some note",
      tags: ["Work"],
      favorite: false,
    })
  })

  it("maps secure notes, Wi-Fi and other types", () => {
    expect(byTitle("Recette de grand-mère 🍰")).toEqual({
      type: "note",
      title: "Recette de grand-mère 🍰",
      fields: {},
      notes: "Farine, œufs\nbeurre",
      tags: ["Cuisine"],
      favorite: false,
    })
    expect(byTitle("Home Wi-Fi")).toMatchObject({
      type: "wifi",
      fields: { ssid: text("Maison"), password: secret("wifi-pass"), security: text("WPA2") },
    })
    expect(byTitle("Passport")).toMatchObject({
      type: "passport",
      fields: { "Passport Number": secret("X1234567"), Nationality: text("Française") },
      tags: ["Travel"],
    })
  })

  it("skips an empty row", () => {
    expect(result.records).toHaveLength(7)
    expect(result.skipped).toEqual([{ line: 8, reason: "empty entry" }])
  })

  it("fails on a file with a header (another format), naming line 1", () => {
    for (const name of ["chrome.csv", "chrome-old.csv", "keepassxc.csv", "1password.csv", "bitwarden.csv"]) {
      expect(thrown(() => importFixture(name, "msecure-csv"))).toMatchObject({ code: "IMPORT_FAILED", data: { line: 1 } })
    }
  })

  it("fails on a row whose field cells are not Name|Kind|Value", () => {
    const error = thrown(() => importText("A|1,Login,,,Website|2|a.example\nB|2,Login,,,just text\n", "msecure-csv"))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { line: 2 } })
  })

  it("fails on a row too short to be mSecure's", () => {
    expect(thrown(() => importText("A|1,Login\n", "msecure-csv"))).toMatchObject({ code: "IMPORT_FAILED", data: { line: 1 } })
  })
})
