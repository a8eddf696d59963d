import { describe, expect, it } from "vitest"
import { CLOSE_REASONS, closeCodeOf, closeReasonOf, isCloseReason } from "../../../src/transport/close-reasons.js"
import { RATE_WINDOW_MS, RateLimiter } from "../../../src/transport/rate-limiter.js"

describe("RateLimiter", () => {
  it("allows `limit` attempts per key within a minute, then refuses", () => {
    const limiter = new RateLimiter(3)
    expect([0, 10, 20, 30].map((t) => limiter.tryAcquire("10.0.0.1", t))).toEqual([true, true, true, false])
    expect(limiter.tryAcquire("10.0.0.2", 30)).toBe(true)
  })

  it("slides: an attempt leaves the window a minute later", () => {
    const limiter = new RateLimiter(2)
    limiter.tryAcquire("a", 0)
    limiter.tryAcquire("a", 30_000)
    expect(limiter.tryAcquire("a", RATE_WINDOW_MS - 1)).toBe(false)
    expect(limiter.tryAcquire("a", RATE_WINDOW_MS)).toBe(true)
    expect(limiter.tryAcquire("a", RATE_WINDOW_MS + 1)).toBe(false)
  })

  it("does not count refused attempts against the future", () => {
    const limiter = new RateLimiter(1)
    limiter.tryAcquire("a", 0)
    for (let t = 1; t < 100; t++) limiter.tryAcquire("a", t * 100)
    expect(limiter.tryAcquire("a", RATE_WINDOW_MS)).toBe(true)
  })

  it("forgets stale keys instead of growing without bound", () => {
    const limiter = new RateLimiter(1)
    for (let i = 0; i < 2_000; i++) limiter.tryAcquire(`key ${i}`, 0)
    limiter.tryAcquire("late", 2 * RATE_WINDOW_MS)
    expect(limiter.trackedKeys).toBe(1)
  })

  it("refuses everything with a limit of 0", () => {
    expect(new RateLimiter(0).tryAcquire("a", 0)).toBe(false)
  })
})

describe("CLOSE_REASONS", () => {
  const required = [
    "unknown device",
    "revoked",
    "account was reset",
    "pairing window closed",
    "wrong account key",
    "protocol error",
    "handshake timeout",
    "message too large",
    "rate limited",
    "not on the LAN",
    "shutting down",
  ]

  it("has every reason DESIGN §6 and the transport need", () => {
    for (const reason of required) expect(isCloseReason(reason)).toBe(true)
  })

  it("maps each reason to its own code in 4000–4999 and back", () => {
    const codes = Object.values(CLOSE_REASONS)
    expect(new Set(codes).size).toBe(codes.length)
    for (const [reason, code] of Object.entries(CLOSE_REASONS)) {
      expect(code).toBeGreaterThanOrEqual(4000)
      expect(code).toBeLessThanOrEqual(4999)
      expect(closeReasonOf(code)).toBe(reason)
      expect(closeCodeOf(reason as keyof typeof CLOSE_REASONS)).toBe(code)
    }
  })

  it("knows no reason for codes outside the table", () => {
    expect(closeReasonOf(1006)).toBeUndefined()
    expect(closeReasonOf(4999)).toBeUndefined()
    expect(isCloseReason("toString")).toBe(false)
  })
})
