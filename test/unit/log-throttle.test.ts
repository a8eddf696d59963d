import { describe, expect, it } from "vitest"
import { LogThrottle } from "../../src/log-throttle.js"
import type { Logger } from "../../src/log.js"

function recorder(): { logger: Logger; lines: Array<{ message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ message: string; fields?: Record<string, unknown> }> = []
  const push = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields })
  const logger: Logger = { debug: push, info: push, warn: push, error: push, child: () => logger }
  return { logger, lines }
}

describe("LogThrottle (issue 11 item 13: refusal logs are rate-limited)", () => {
  it("writes the first refusal of an address once a window and counts the rest on its next line", () => {
    let now = 0
    const { logger, lines } = recorder()
    const throttle = new LogThrottle(logger, { windowMs: 1_000, now: () => now })
    for (let i = 0; i < 500; i++) throttle.warn("10.0.0.9 rate limited", "connection refused", { address: "10.0.0.9" })
    expect(lines).toHaveLength(1)
    throttle.warn("10.0.0.8 rate limited", "connection refused", { address: "10.0.0.8" })
    expect(lines).toHaveLength(2)
    now = 1_000
    throttle.warn("10.0.0.9 rate limited", "connection refused", { address: "10.0.0.9" })
    expect(lines).toHaveLength(3)
    expect(lines[2].fields).toMatchObject({ address: "10.0.0.9", suppressed: 499 })
  })

  it("caps the lines of many addresses together per window", () => {
    let now = 0
    const { logger, lines } = recorder()
    const throttle = new LogThrottle(logger, { windowMs: 1_000, maxLinesPerWindow: 10, maxKeys: 100, now: () => now })
    for (let i = 0; i < 1_000; i++) throttle.warn(`10.0.${i >> 8}.${i & 255} unknown device`, "incoming link refused")
    expect(lines).toHaveLength(10)
    now = 5_000
    throttle.warn("10.9.9.9 unknown device", "incoming link refused")
    expect(lines[10].fields).toMatchObject({ suppressedOthers: 990 })
  })
})
