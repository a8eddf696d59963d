import { createHmac, randomBytes } from "node:crypto"
import { setImmediate as nextTurn } from "node:timers/promises"
import type { HistoryEntry, VaultRecord } from "../merge/types.js"
import { TWO_FACTOR_TAG, type AuditReport, type SecretRef } from "./audit-types.js"
import { estimateStrength } from "./password-strength.js"

/** A secret unchanged for longer than this is "old". */
export const OLD_AFTER_DAYS = 365
const MS_PER_DAY = 86_400_000

export interface AuditSource {
  records: VaultRecord[]
  history: (id: string) => HistoryEntry[]
  now: number
}

/**
 * Judges every secret field of the live records: weak (zxcvbn score below 3),
 * reused (same value in another record: HMAC-SHA256 under a key made for this
 * run only, so nothing comparable outlives it), old (unchanged for
 * {@link OLD_AFTER_DAYS}), and marked logins without TOTP.
 */
export async function auditVault(source: AuditSource): Promise<AuditReport> {
  const live = source.records.filter((record) => !record.trashed)
  const report: AuditReport = { checkedAt: source.now, records: live.length, secrets: 0, weak: [], reused: [], old: [], missingTotp: [] }
  const runKey = randomBytes(32)
  const byDigest = new Map<string, SecretRef[]>()
  const scores = new Map<string, number>()
  for (const record of live) {
    const history = secretFieldsOf(record).length > 0 ? source.history(record.id) : []
    for (const field of secretFieldsOf(record)) {
      report.secrets++
      const ref: SecretRef = { id: record.id, title: record.title, field }
      const value = record.fields[field].value
      const digest = createHmac("sha256", runKey).update(value).digest("base64")
      byDigest.set(digest, [...(byDigest.get(digest) ?? []), ref])
      let score = scores.get(digest)
      if (score === undefined) {
        score = estimateStrength(value, [record.title]).score
        scores.set(digest, score)
        // One estimate takes milliseconds to tens of them: requests and sync go on between two.
        await nextTurn()
      }
      if (score < 3) report.weak.push({ ...ref, score })
      const changedAt = lastChange(history, field) ?? record.createdAt
      const days = Math.floor((source.now - changedAt) / MS_PER_DAY)
      if (days >= OLD_AFTER_DAYS) report.old.push({ ...ref, changedAt, days })
    }
    if (isMarkedLoginWithoutTotp(record)) report.missingTotp.push({ id: record.id, title: record.title })
  }
  runKey.fill(0)
  report.reused = [...byDigest.values()].filter((refs) => new Set(refs.map((ref) => ref.id)).size > 1)
  return report
}

function secretFieldsOf(record: VaultRecord): string[] {
  return Object.keys(record.fields).filter((name) => record.fields[name].kind === "secret" && record.fields[name].value !== "").sort()
}

/** When the field last got a new value: its latest overwritten value's time, if any. */
function lastChange(history: HistoryEntry[], field: string): number | undefined {
  let latest: number | undefined
  for (const entry of history) {
    if (entry.field === field && entry.reason === "edited" && (latest === undefined || entry.changedAt > latest)) latest = entry.changedAt
  }
  return latest
}

function isMarkedLoginWithoutTotp(record: VaultRecord): boolean {
  const marked = record.tags.some((tag) => tag.toLowerCase() === TWO_FACTOR_TAG)
  return marked && !Object.values(record.fields).some((field) => field.kind === "totp" && field.value !== "")
}
