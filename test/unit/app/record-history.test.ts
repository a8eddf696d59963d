import { describe, expect, it } from "vitest"
import { recordHistory } from "../../../src/app/record-history.js"
import type { HistoryEntry } from "../../../src/merge/types.js"

const A = "a".repeat(32)
const B = "b".repeat(32)
const GONE = "c".repeat(32)

describe("records.history", () => {
  it("names the device of each value from the trust list (revoked ones too), and leaves unknown or absent devices unnamed", () => {
    const entries: HistoryEntry[] = [
      { field: "password", value: "p2", kind: "secret", changedAt: 3, reason: "conflict", deviceId: B },
      { field: "password", value: "p1", kind: "secret", changedAt: 2, reason: "edited", deviceId: A },
      { field: "title", value: "Old", kind: "text", changedAt: 1, reason: "edited", deviceId: GONE },
      { field: "password", value: "p0", kind: "secret", changedAt: 0, reason: "edited" },
    ]
    const trust = [{ deviceId: A, name: "desk" }, { deviceId: B, name: "laptop", revokedAt: 5 }]
    const named = recordHistory({ vault: { history: () => entries }, store: { trustList: () => trust as never } }, "r1")
    expect(named.map((e) => e.deviceName)).toEqual(["laptop", "desk", undefined, undefined])
    expect(named.map((e) => e.deviceId)).toEqual([B, A, GONE, undefined])
  })
})
