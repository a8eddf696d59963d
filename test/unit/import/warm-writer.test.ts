import { setImmediate as nextTurn } from "node:timers/promises"
import { describe, expect, it, vi } from "vitest"
import { warmBucketWriter } from "../../../src/import/warm-writer.js"
import { isAutomergeReleased, releaseAutomerge, renewAutomerge } from "../../../src/merge/automerge.js"
import { warmAutomerge } from "../../../src/merge/bucket-fill.js"

describe("readying the daemon's thread to write buckets while an import's file is read", () => {
  it("writes a bucket per turn of the event loop until the file is read, then stops", async () => {
    // Counts the event loop's turns while `work` runs.
    const turnsDuring = async (work: Promise<void>) => {
      let turns = 0
      let done = false
      void work.then(() => (done = true))
      while (!done) {
        await nextTurn()
        turns++
      }
      return turns
    }
    const unread = await turnsDuring(warmBucketWriter(new Promise(() => undefined)))
    // Read after two turns: it stops at the next.
    const read = await turnsDuring(warmBucketWriter(nextTurn().then(() => nextTurn())))
    expect(unread).toBeGreaterThanOrEqual(40)
    expect(read).toBeLessThanOrEqual(4)
  })

  it("a failed read ends it too", async () => {
    await expect(warmBucketWriter(Promise.reject(new Error("unreadable")))).resolves.toBeUndefined()
  })

  it("never throws, also when the vault locked meanwhile (Automerge refuses new documents)", async () => {
    releaseAutomerge()
    try {
      await expect(warmBucketWriter(new Promise(() => undefined))).resolves.toBeUndefined()
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
