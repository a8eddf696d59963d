import { describe, expect, it } from "vitest"
import { refusalOf } from "../../../src/webapp/request-checks.js"
import { SessionGuard } from "../../../src/webapp/session-guard.js"

const HOST = "127.0.0.1:4321"
const ORIGIN = `http://${HOST}`
const get = (over: Partial<Parameters<typeof refusalOf>[0]> = {}) => ({ method: "GET", host: HOST, origin: undefined, fetchSite: undefined, ...over })

describe("app request checks", () => {
  it("lets the page's own requests through", () => {
    expect(refusalOf(get(), HOST, { tokenExchange: false })).toBeUndefined()
    expect(refusalOf(get({ fetchSite: "same-origin" }), HOST, { tokenExchange: false })).toBeUndefined()
    expect(refusalOf(get({ method: "POST", origin: ORIGIN, fetchSite: "same-origin" }), HOST, { tokenExchange: false })).toBeUndefined()
  })

  it("refuses a foreign or missing Host, whatever else the request says", () => {
    for (const host of ["evil.example:4321", "localhost:4321", "127.0.0.1:4322", "127.0.0.1", undefined]) {
      expect(refusalOf(get({ host }), HOST, { tokenExchange: false })).toBe("foreign host")
      expect(refusalOf(get({ host }), HOST, { tokenExchange: true })).toBe("foreign host")
    }
  })

  it("refuses a foreign Origin, and a POST without one", () => {
    expect(refusalOf(get({ origin: "http://evil.example" }), HOST, { tokenExchange: false })).toBe("foreign origin")
    expect(refusalOf(get({ method: "POST", origin: "null" }), HOST, { tokenExchange: false })).toBe("foreign origin")
    expect(refusalOf(get({ method: "POST" }), HOST, { tokenExchange: false })).toBe("missing origin")
  })

  it("refuses cross-site fetches except for the token link", () => {
    expect(refusalOf(get({ fetchSite: "cross-site" }), HOST, { tokenExchange: false })).toBe("cross-site request")
    expect(refusalOf(get({ fetchSite: "same-site" }), HOST, { tokenExchange: false })).toBe("cross-site request")
    expect(refusalOf(get({ fetchSite: "cross-site" }), HOST, { tokenExchange: true })).toBeUndefined()
  })
})

describe("app sessions", () => {
  it("exchanges the token once, for a session id that is not the token", () => {
    const guard = new SessionGuard()
    const token = guard.oneTimeToken!
    expect(guard.exchange("A".repeat(43))).toBeUndefined()
    const session = guard.exchange(token)!
    expect(session).toMatch(/^[\w-]{43}$/)
    expect(session).not.toBe(token)
    expect(guard.oneTimeToken).toBeUndefined()
    expect(guard.exchange(token)).toBeUndefined()
    expect(guard.check(session)).toBe(true)
    expect(guard.check(token)).toBe(false)
    expect(guard.check(undefined)).toBe(false)
    guard.end(session)
    expect(guard.check(session)).toBe(false)
  })

  it("forgets a session idle for more than 12 hours", () => {
    let now = 0
    const guard = new SessionGuard(() => now)
    const session = guard.exchange(guard.oneTimeToken)!
    now += 11 * 3600_000
    expect(guard.check(session)).toBe(true)
    now += 12 * 3600_000 + 1
    expect(guard.check(session)).toBe(false)
  })
})
