import { describe, expect, it } from "vitest"
import { entryMatchesSite, parseEntryUrl, parseSiteUrl } from "../../../src/browser/url-match.js"

const matches = (entry: string, site: string) => {
  const e = parseEntryUrl(entry)
  const s = parseSiteUrl(site)
  if (!e || !s) throw new Error(`unparsable: ${entry} / ${site}`)
  return entryMatchesSite(e, s)
}

describe("which stored login a page may get", () => {
  it("offers a login to its host and to the host's subdomains only", () => {
    expect(matches("https://example.com", "https://example.com/login")).toBe(true)
    expect(matches("https://example.com", "https://a.b.example.com/")).toBe(true)
    expect(matches("https://login.example.com", "https://example.com/")).toBe(false)
    expect(matches("https://login.example.com", "https://www.example.com/")).toBe(false)
    expect(matches("https://example.com", "https://notexample.com/")).toBe(false)
    expect(matches("https://example.com", "https://example.com.evil.test/")).toBe(false)
  })

  it("never matches every site under a bare top-level label", () => {
    expect(matches("https://com", "https://example.com")).toBe(false)
  })

  it("never sends an https login to an http page, but lets an http login go to https", () => {
    expect(matches("https://example.com", "http://example.com/")).toBe(false)
    expect(matches("http://example.com", "https://example.com/")).toBe(true)
    expect(matches("example.com", "http://example.com/")).toBe(false)
    expect(matches("example.com/login", "https://example.com/")).toBe(true)
  })

  it("needs the same port; an entry without one is for the default port", () => {
    expect(matches("https://example.com", "https://example.com:8443/")).toBe(false)
    expect(matches("https://example.com:8443", "https://example.com:8443/")).toBe(true)
    expect(matches("https://example.com:443", "https://example.com/")).toBe(true)
  })

  it("matches IP literals only exactly, in any spelling the URL parser normalises", () => {
    expect(matches("http://127.0.0.1:8080", "http://127.0.0.1:8080/x")).toBe(true)
    expect(matches("http://127.0.0.1:8080", "http://2130706433:8080/")).toBe(true)
    expect(matches("http://10.0.0.1", "http://10.0.0.2/")).toBe(false)
    expect(matches("http://10.0.0.1", "http://host.10.0.0.1.test/")).toBe(false)
    expect(matches("http://[::1]", "http://[0:0::1]/")).toBe(true)
    expect(matches("http://[::1]", "http://127.0.0.1/")).toBe(false)
  })

  it("compares IDN hosts by their punycode form, and a look-alike is another site", () => {
    expect(matches("https://bücher.example", "https://xn--bcher-kva.example/")).toBe(true)
    expect(matches("https://xn--bcher-kva.example", "https://BÜCHER.example/")).toBe(true)
    expect(matches("https://paypal.com", "https://pаypal.com/")).toBe(false) // Cyrillic а
  })

  it("reads userinfo as what it is: not the host", () => {
    expect(matches("https://example.com", "https://example.com@evil.test/")).toBe(false)
    expect(matches("https://evil.test", "https://example.com@evil.test/")).toBe(true)
  })

  it("refuses pages that are not http(s) URLs with a host", () => {
    for (const url of ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "about:blank", "chrome-extension://abc/x", "ftp://example.com", "", "//example.com", "x".repeat(9000), 42, null]) {
      expect(parseSiteUrl(url), String(url).slice(0, 40)).toBeUndefined()
    }
    expect(parseEntryUrl("javascript:alert(1)")).toBeUndefined()
  })
})
