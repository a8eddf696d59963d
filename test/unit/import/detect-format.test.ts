import { describe, expect, it } from "vitest"
import { detectFormat } from "../../../src/import/detect-format.js"
import { fixture, thrown } from "./helpers.js"

const encode = (text: string) => new TextEncoder().encode(text)

describe("detectFormat", () => {
  it.each([
    ["chrome.csv", "chrome-csv"], ["chrome-bom.csv", "chrome-csv"], ["chrome-old.csv", "chrome-csv"],
    ["keepassxc.csv", "keepassxc-csv"], ["1password.csv", "1password-csv"], ["1password7.csv", "1password-csv"],
    ["bitwarden.csv", "bitwarden-csv"], ["bitwarden-org.csv", "bitwarden-csv"], ["bitwarden.json", "bitwarden-json"],
    ["bitwarden-encrypted.json", "bitwarden-json"], ["msecure.csv", "msecure-csv"], ["lanvault-export.json", "json"],
    ["lastpass.csv", "lastpass-csv"], ["firefox.csv", "firefox-csv"], ["apple.csv", "apple-csv"], ["dashlane.csv", "dashlane-csv"],
    ["nordpass.csv", "nordpass-csv"], ["keeper.csv", "keeper-csv"], ["enpass.json", "enpass-json"], ["proton.json", "proton-json"],
    ["proton.zip", "proton-zip"], ["onepassword.1pux", "1password-1pux"], ["onepassword-no-data.1pux", "1password-1pux"], ["keepass.xml", "keepass-xml"],
  ])("recognises %s as %s", (name, format) => {
    expect(detectFormat(fixture(name)).format).toBe(format)
  })

  it("recognises lanvault's own CSV export", () => {
    expect(detectFormat(encode("type,title,username,password,url,notes,tags,favorite,fields\r\nlogin,A,u,p,,,,false,\r\n")).format).toBe("csv")
  })

  it("recognises a KDBX by its signature", () => {
    expect(detectFormat(Uint8Array.from([0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 0, 0, 4, 0])).format).toBe("kdbx")
  })

  it("names the closest formats and what they lack when it cannot tell", () => {
    const error = thrown(() => detectFormat(encode("title,login,secret\nA,b,c\n")))
    expect(error.code).toBe("UNSUPPORTED_FORMAT")
    expect(error.message).toMatch(/closest: .*lacks "/)
    expect(error.message).toMatch(/--format/)
  })

  it("tells an Enpass JSON from a Bitwarden one, and says what an unknown JSON or XML lacks", () => {
    expect(detectFormat(fixture("enpass.json")).format).toBe("enpass-json")
    expect(thrown(() => detectFormat(encode('{"entries": []}'))).message).toMatch(/Bitwarden has "items"/)
    expect(thrown(() => detectFormat(encode("<?xml version='1.0'?><html></html>"))).message).toMatch(/<html>.*KeePassFile/)
  })

  it("says a password-protected ZIP must be exported without encryption", () => {
    const error = thrown(() => detectFormat(fixture("proton-encrypted.zip")))
    expect(error.code).toBe("IMPORT_FAILED")
    expect(error.message).toMatch(/without encryption/)
  })

  it("says where a cut-short ZIP ends", () => {
    const error = thrown(() => detectFormat(fixture("proton-truncated.zip")))
    expect(error).toMatchObject({ code: "IMPORT_FAILED", data: { offset: 600 } })
    expect(error.message).toMatch(/byte 600/)
  })
})
