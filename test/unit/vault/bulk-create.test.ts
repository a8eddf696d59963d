import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { RecordInput } from "../../../src/merge/types.js"
import type { VaultService } from "../../../src/vault/vault-service.js"
import type { MemoryStore } from "../../../src/store/memory-store.js"
import { codeOfAsync as codeOf } from "../../helpers/error-code.js"
import { openUnlockedService, type UnlockedService } from "./unlocked-service.js"

const PASSWORD = "correct horse battery"
const RECORDS = 1_500

function logins(count: number): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ type: "login", title: `site ${i}`, fields: { password: { value: `pw-${i}`, kind: "secret" } } }))
}

describe("VaultService.createMany of a list of records (a former vault's; the same pipeline as an import's, bulk-fill.ts)", () => {
  let store: MemoryStore
  let vault: VaultService

  let opened: UnlockedService

  beforeEach(async () => {
    opened = await openUnlockedService("lv-bulk-", PASSWORD)
    ;({ vault, store } = opened)
  })

  afterEach(() => opened.close())

  it("leaves the event loop free between batches, tells its progress and creates every record", async () => {
    let turns = 0
    const ticker = setInterval(() => turns++, 0)
    const progress: number[] = []
    const ids = await vault.createMany(logins(RECORDS), (done, total) => {
      expect(total).toBe(RECORDS)
      progress.push(done)
    })
    clearInterval(ticker)
    expect(ids).toHaveLength(RECORDS)
    expect(vault.list({})).toHaveLength(RECORDS)
    expect(ids.map((id) => vault.get(id).title)).toEqual(logins(RECORDS).map((r) => r.title))
    // Committed in several batches, with timers run between them.
    expect(progress.length).toBeGreaterThan(1)
    expect(progress.at(-1)).toBe(RECORDS)
    expect(turns).toBeGreaterThanOrEqual(progress.length - 1)
  }, 120_000)

  it("groups records by bucket: one log entry per bucket, not one per batch and bucket", async () => {
    await vault.createMany(logins(RECORDS))
    const entries = store.entriesOf(vault.identity().deviceId, 0)
    // ≈ 23 records in each of the 64 buckets first opened, each bucket's written as one change.
    expect(entries.length).toBe(64)
  }, 120_000)

  it("adds to buckets that already hold records, and the records read back alike", async () => {
    const before = await vault.createMany(logins(100))
    const more = logins(RECORDS).map((r, i) => ({ ...r, title: `more ${i}`, tags: ["imported"] }))
    const ids = await vault.createMany(more.map((r) => ({ ...r })))
    expect(vault.list({})).toHaveLength(100 + RECORDS)
    expect(ids.map((id) => vault.get(id))).toEqual(ids.map((id, i) => expect.objectContaining({ id, title: `more ${i}`, tags: ["imported"], fields: more[i].fields })))
    expect(before.map((id) => vault.get(id).title)).toEqual(logins(100).map((r) => r.title))
    expect(vault.list({ tag: "imported" })).toHaveLength(RECORDS)
  }, 120_000)

  it("commits at most two groups made the usual way together (each ≈ 13 ms in the commit), for buckets that already hold records", async () => {
    // 2,000 records over the 64 buckets first opened: each holds some (one empty: p ≈ 64·(63/64)^2000 ≈ 1e-12), and
    // they have room for 1,500 more, so no bucket is opened: every group is a part (≤ 32) of one, created the usual way.
    await vault.createMany(logins(2_000))
    expect(store.entriesOf(vault.identity().deviceId, 0)).toHaveLength(64)
    const progress: number[] = []
    const ids = await vault.createMany(logins(RECORDS).map((r, i) => ({ ...r, title: `more ${i}` })), (done) => progress.push(done))
    const perCommit = progress.map((done, i) => done - (progress[i - 1] ?? 0)).filter((n) => n > 0)
    expect(Math.max(...perCommit)).toBeLessThanOrEqual(2 * 32)
    expect(perCommit.reduce((a, b) => a + b, 0)).toBe(RECORDS)
    expect(vault.get(ids[RECORDS - 1]).title).toBe(`more ${RECORDS - 1}`)
    expect(vault.list({})).toHaveLength(2_000 + RECORDS)
  }, 120_000)

  it("lets go of each input once it is created, so a big import's records are garbage as they land", async () => {
    const inputs = logins(300)
    const seenMidway: number[] = []
    const ids = await vault.createMany(inputs, () => seenMidway.push(inputs.filter((input) => input !== undefined).length))
    expect(ids).toHaveLength(300)
    expect(inputs.every((input) => input === undefined)).toBe(true)
    expect(seenMidway.at(-1)).toBe(0)
    expect(vault.get(ids[42]).title).toBe("site 42")
  }, 120_000)

  it("refuses a bad record before creating any", async () => {
    const inputs = [...logins(10), { type: "", title: "no type" } as RecordInput]
    expect(await codeOf(() => vault.createMany(inputs))).toBe("INVALID_PARAMS")
    expect(vault.list({})).toHaveLength(0)
  })
})
