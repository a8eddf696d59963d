import { setImmediate as nextTurn } from "node:timers/promises"
import { describe, expect, it, vi } from "vitest"
import { warmBucketWriter } from "../../../src/import/warm-writer.js"
import { isAutomergeReleased, releaseAutomerge, renewAutomerge } from "../../../src/merge/automerge.js"
import { warmAutomerge } from "../../../src/merge/bucket-fill.js"

/** Counts the event loop's turns while `work` runs. */
async function turnsDuring(work: Promise<void>): Promise<number> {
  let turns = 0
  let done = false
  void work.then(() => (done = true))
  while (!done) {
    await nextTurn()
    turns++
  }
  return turns
}

const never = () => new Promise<never>(() => undefined)

describe("readying the daemon's thread to write buckets while an import's file is read", () => {
  it("writes a bucket per turn of the event loop until the file is read, then stops", async () => {
    renewAutomerge() // a cold instance, as after an unlock
    const unread = await turnsDuring(warmBucketWriter(never()))
    renewAutomerge()
    // Read after two turns: it stops at the next.
    const read = await turnsDuring(warmBucketWriter(nextTurn().then(() => nextTurn())))
    expect(unread).toBeGreaterThanOrEqual(40)
    expect(read).toBeLessThanOrEqual(4)
  })

  it("the next import of the same session has nothing to warm once ten buckets were written; the next session's instance is warmed again", async () => {
    renewAutomerge()
    // Cut short after two turns: too few buckets, the next import warms on.
    expect(await turnsDuring(warmBucketWriter(nextTurn().then(() => nextTurn())))).toBeLessThanOrEqual(4)
    expect(await turnsDuring(warmBucketWriter(never()))).toBeGreaterThanOrEqual(40)
    expect(await turnsDuring(warmBucketWriter(never()))).toBeLessThanOrEqual(1)
    renewAutomerge()
    expect(await turnsDuring(warmBucketWriter(never()))).toBeGreaterThanOrEqual(40)
  })

  it("a failed read ends it too", async () => {
    await expect(warmBucketWriter(Promise.reject(new Error("unreadable")))).resolves.toBeUndefined()
  })

  it("never throws, also when the vault locked meanwhile (Automerge refuses new documents)", async () => {
    renewAutomerge() // an instance not warmed yet: the warm-up tries it
    releaseAutomerge()
    try {
      await expect(warmBucketWriter(never())).resolves.toBeUndefined()
    } finally {
      renewAutomerge()
    }
  })

  it("readies Automerge a step per turn: the wasm instance, then a first change", async () => {
    renewAutomerge() // a fresh instance, made at its first use
    const steps: string[] = []
    const between = vi.fn(async () => {
      steps.push("turn")
      await nextTurn()
    })
    await warmAutomerge("0".repeat(32), between)
    expect(between).toHaveBeenCalledOnce()
    expect(steps).toEqual(["turn"])
    expect(isAutomergeReleased()).toBe(false)
  })
})
