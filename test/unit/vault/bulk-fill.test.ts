import { setTimeout as sleep } from "node:timers/promises"
import { performance } from "node:perf_hooks"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { bucketOf } from "../../../src/merge/bucket.js"
import { fillGroups, type FilledSource, type FillPlan } from "../../../src/merge/bucket-fill.js"
import type { RecordInput } from "../../../src/merge/types.js"
import type { VaultService } from "../../../src/vault/vault-service.js"
import type { MemoryStore } from "../../../src/store/memory-store.js"
import { codeOfAsync as codeOf } from "../../helpers/error-code.js"
import { openUnlockedService, type UnlockedService } from "./unlocked-service.js"

const PASSWORD = "correct horse battery"
const RECORDS = 1_500

function logins(count: number, prefix = "site"): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ type: "login", title: `${prefix} ${i}`, fields: { password: { value: `pw-${i}`, kind: "secret" }, url: { value: `https://${i}.example`, kind: "url" } }, tags: ["imported"] }))
}

interface SourceOptions {
  /** Runs before group `n` is handed over. */
  before?: (n: number) => Promise<void> | void
  /** Throws instead of handing over group `n`. */
  failAt?: number
  /** Hands over only this many groups, then ends. */
  stopAfter?: number
  /** Hands every other group over as inputs, for the vault's thread to write (as the worker does when that thread is idle). */
  alternate?: boolean
}

/** A source writing the groups in this thread, as an import's worker does (merge/bucket-fill.ts); `plans` gets each plan. */
function sourceOf(inputs: RecordInput[], plans: FillPlan[], options: SourceOptions = {}): FilledSource {
  return {
    count: inputs.length,
    async *fill(plan) {
      plans.push(plan)
      let n = 0
      let turn = 0
      for (const group of fillGroups([...inputs], plan, () => options.alternate === true && turn++ % 2 === 0)) {
        if (n === options.stopAfter) return
        if (n === options.failAt) throw new LanvaultError("INTERNAL", "the writer failed")
        await options.before?.(n)
        n++
        yield group
      }
    },
  }
}

describe("VaultService.createMany from records written elsewhere (an import's worker)", () => {
  let store: MemoryStore
  let vault: VaultService

  let opened: UnlockedService

  beforeEach(async () => {
    opened = await openUnlockedService("lv-bulk-fill-", PASSWORD)
    ;({ vault, store } = opened)
  })

  afterEach(() => opened.close())

  it("creates every record, one log entry per bucket, new buckets written whole, and tells its progress", async () => {
    const inputs = logins(RECORDS)
    const plans: FillPlan[] = []
    const progress: number[] = []
    const ids = await vault.createMany(sourceOf(inputs, plans), (done, total) => {
      expect(total).toBe(RECORDS)
      progress.push(done)
    })
    expect(ids).toHaveLength(RECORDS)
    expect(ids.map((id) => vault.get(id))).toEqual(inputs.map((input, i) => expect.objectContaining({ id: ids[i], title: input.title, fields: input.fields, tags: ["imported"] })))
    expect(vault.list({ tag: "imported" })).toHaveLength(RECORDS)
    const [plan] = plans
    expect(plan.groups.every((group) => group.fresh)).toBe(true)
    expect(store.entriesOf(vault.identity().deviceId, 0)).toHaveLength(new Set(plan.groups.map((group) => group.bucket)).size)
    expect(progress.at(-1)).toBe(RECORDS)
    // The records read back the same after a lock: the log and snapshots hold them.
    vault.lock("request")
    await vault.unlock(PASSWORD)
    expect(ids.map((id) => vault.get(id).title)).toEqual(inputs.map((input) => input.title))
  }, 120_000)

  it("writes whole, here, the fresh buckets handed over as inputs: the same records, one change per bucket", async () => {
    const inputs = logins(RECORDS)
    const plans: FillPlan[] = []
    let handedOver = 0
    const source = sourceOf(inputs, plans, { alternate: true })
    const counted: FilledSource = {
      count: source.count,
      async *fill(plan) {
        for await (const group of source.fill(plan)) {
          if (group.inputs !== undefined) handedOver++
          yield group
        }
      },
    }
    const ids = await vault.createMany(counted)
    expect(handedOver).toBe(Math.ceil(plans[0].groups.length / 2))
    expect(ids.map((id) => vault.get(id))).toEqual(inputs.map((input, i) => expect.objectContaining({ id: ids[i], title: input.title, fields: input.fields })))
    expect(store.entriesOf(vault.identity().deviceId, 0)).toHaveLength(plans[0].groups.length)
  }, 120_000)

  it("commits 4 groups together, or fewer after 100 ms, leaving the event loop free between arrivals", async () => {
    let turns = 0
    const ticker = setInterval(() => turns++, 0)
    const plans: FillPlan[] = []
    const fast: number[] = []
    await vault.createMany(sourceOf(logins(RECORDS), plans), (done) => fast.push(done))
    // Never more than 4 groups in a commit (a busy machine's slow arrivals make more, shorter ones).
    expect(fast.length).toBeGreaterThanOrEqual(Math.ceil(plans[0].groups.length / 4))
    expect(fast.at(-1)).toBe(RECORDS)
    const slow: number[] = []
    // A slow writer: a group each 60 ms, so a commit at least every second group (100 ms), not every fourth.
    await vault.createMany(sourceOf(logins(RECORDS, "slow"), plans, { before: () => sleep(60) }), (done) => slow.push(done))
    clearInterval(ticker)
    expect(slow.length).toBeGreaterThan(plans[1].groups.length / 3)
    expect(turns).toBeGreaterThan(slow.length)
  }, 120_000)

  it("creates the records planned into buckets that already hold some the usual way, beside them", async () => {
    const before = await vault.createMany(logins(100, "old"))
    const plans: FillPlan[] = []
    const ids = await vault.createMany(sourceOf(logins(RECORDS), plans))
    expect(plans[0].groups.some((group) => !group.fresh)).toBe(true)
    expect(vault.list({})).toHaveLength(100 + RECORDS)
    expect(ids.map((id) => vault.get(id).title)).toEqual(logins(RECORDS).map((input) => input.title))
    expect(before.map((id) => vault.get(id).title)).toEqual(logins(100, "old").map((input) => input.title))
  }, 120_000)

  it("a record created meanwhile never lands in a bucket being written elsewhere, and both read back after a replay", async () => {
    const plans: FillPlan[] = []
    const created: string[] = []
    const ids = await vault.createMany(sourceOf(logins(RECORDS), plans, {
      before: async (n) => {
        if (n === 1 || n === 5) created.push(await vault.create({ type: "note", title: `meanwhile ${n}` }))
      },
    }))
    const fresh = new Set(plans[0].groups.filter((group) => group.fresh).map((group) => group.bucket))
    for (const id of created) expect(fresh.has(bucketOf(id, 64))).toBe(false)
    vault.lock("request")
    await vault.unlock(PASSWORD)
    expect(vault.list({})).toHaveLength(RECORDS + 2)
    expect(created.map((id) => vault.get(id).title)).toEqual(["meanwhile 1", "meanwhile 5"])
    expect(vault.get(ids[7]).title).toBe("site 7")
  }, 120_000)

  it("a writer failing midway keeps the batches committed before it, and the vault goes on", async () => {
    const plans: FillPlan[] = []
    // Group 2 arrives after the 100 ms a batch waits at most: groups 0-2 are committed then; group 3 fails.
    const source = sourceOf(logins(RECORDS), plans, { before: (n) => (n === 2 ? sleep(150) : undefined), failAt: 3 })
    expect(await codeOf(vault.createMany(source))).toBe("INTERNAL")
    const committed = plans[0].groups.slice(0, 3).flatMap((group) => group.ids)
    expect(vault.list({}).map((summary) => summary.id).sort()).toEqual([...committed].sort())
    const more = await vault.createMany(logins(200, "more"))
    expect(vault.list({})).toHaveLength(committed.length + 200)
    expect(vault.get(more[199]).title).toBe("more 199")
  }, 120_000)

  it("a group the vault refuses keeps those made before it in the same batch durable: the vault never lists what its log lacks", async () => {
    const plans: FillPlan[] = []
    const inner = sourceOf(logins(300), plans)
    const source: FilledSource = {
      count: inner.count,
      async *fill(plan) {
        let n = 0
        // Group 1, in group 0's batch, holds records no vault takes (no type), which cannot be written whole
        // either (a lone surrogate): made in the commit, they throw.
        for await (const group of inner.fill(plan)) yield n++ === 1 ? { inputs: plan.groups[1].ids.map(() => ({ type: "", title: "\ud800" })) } : group
      },
    }
    // The clock stands still, so the batch is cut by its count alone: group 0 (written whole here, up to 200 ms on a
    // fresh Automerge instance of a loaded machine) never goes alone in a commit of its own, which would leave nothing to test.
    const commits: number[] = []
    const clock = vi.spyOn(performance, "now").mockReturnValue(performance.now())
    try {
      expect(await codeOf(vault.createMany(source, (done) => commits.push(done)))).toBe("INVALID_PARAMS")
    } finally {
      clock.mockRestore()
    }
    expect(commits).toEqual([])
    const listed = vault.list({}).map((summary) => summary.id).sort()
    expect(listed).toEqual(expect.arrayContaining(plans[0].groups[0].ids))
    vault.lock("request")
    await vault.unlock(PASSWORD)
    expect(vault.list({}).map((summary) => summary.id).sort()).toEqual(listed)
  }, 120_000)

  it("a writer that ends before every group is written is an error, not a silent partial import", async () => {
    expect(await codeOf(vault.createMany(sourceOf(logins(RECORDS), [], { stopAfter: 4 })))).toBe("INTERNAL")
  }, 120_000)

  it("stops with LOCKED when the vault locks midway", async () => {
    const source = sourceOf(logins(RECORDS), [], { before: (n) => (n === 3 ? vault.lock("request") : undefined) })
    expect(await codeOf(vault.createMany(source))).toBe("LOCKED")
  }, 120_000)
})
