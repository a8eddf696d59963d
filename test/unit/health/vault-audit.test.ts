import { describe, expect, it } from "vitest"
import { auditVault, OLD_AFTER_DAYS } from "../../../src/health/index.js"
import type { FieldValue, HistoryEntry, VaultRecord } from "../../../src/merge/types.js"

const NOW = Date.UTC(2026, 11, 4)
const DAY = 86_400_000

function record(id: string, fields: Record<string, FieldValue>, extra: Partial<VaultRecord> = {}): VaultRecord {
  return { id, type: "login", title: `T-${id}`, fields, notes: "", tags: [], favorite: false, trashed: false, createdAt: NOW - DAY, updatedAt: NOW - DAY, ...extra }
}
const secret = (value: string): FieldValue => ({ value, kind: "secret" })

describe("vault audit", () => {
  it("finds weak, reused, old secrets and marked logins without TOTP, and never reports a value", async () => {
    const strong = "violet-anchor-quietly-92-tundra"
    const records = [
      record("a", { password: secret("password1"), username: { value: "ann", kind: "text" } }),
      record("b", { password: secret(strong) }, { tags: ["2FA"] }),
      record("c", { pin: secret(strong), password: secret("x7#Kq9!mZ2@wLp") }, { createdAt: NOW - 800 * DAY }),
      record("d", { password: secret("another-Good-one-4711-zebra"), otp: { value: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", kind: "totp" } }, { tags: ["2fa"] }),
      record("e", { password: secret("password1") }, { trashed: true }),
    ]
    const history: Record<string, HistoryEntry[]> = {
      c: [{ field: "password", value: "older", kind: "secret", changedAt: NOW - 10 * DAY, reason: "edited" }],
    }
    const report = await auditVault({ records, history: (id) => history[id] ?? [], now: NOW })
    expect(report.records).toBe(4)
    expect(report.secrets).toBe(5)
    expect(report.weak.map((w) => `${w.id}.${w.field}`)).toEqual(["a.password"])
    expect(report.reused).toEqual([[{ id: "b", title: "T-b", field: "password" }, { id: "c", title: "T-c", field: "pin" }]])
    expect(report.old.map((o) => `${o.id}.${o.field}`)).toEqual(["c.pin"])
    expect(report.old[0].days).toBeGreaterThanOrEqual(OLD_AFTER_DAYS)
    expect(report.missingTotp).toEqual([{ id: "b", title: "T-b" }])
    const text = JSON.stringify(report)
    for (const value of ["password1", strong, "x7#Kq9", "another-Good", "JBSWY3"]) expect(text).not.toContain(value)
  }, 30_000)

  it("the same secret twice in one record is not reuse across records", async () => {
    const report = await auditVault({ records: [record("a", { one: secret("violet-anchor-92"), two: secret("violet-anchor-92") })], history: () => [], now: NOW })
    expect(report.reused).toEqual([])
  })
})
