import { setImmediate as nextTurn } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import { warmBucketWriter } from "../../../src/import/warm-writer.js"
import { releaseAutomerge, renewAutomerge } from "../../../src/merge/automerge.js"

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
})
