import { describe, expect, it } from "vitest"
import { PendingWork } from "../../../src/vault/pending-work.js"

describe("PendingWork", () => {
  it("is pending until every piece tracked has settled, failures included, then undefined", async () => {
    const work = new PendingWork()
    expect(work.pending).toBeUndefined()
    let finishFirst = () => {}
    let failSecond = (_error: Error) => {}
    const first = work.track(new Promise<number>((resolve) => (finishFirst = () => resolve(1))))
    const second = work.track(new Promise<number>((_resolve, reject) => (failSecond = reject)))
    second.catch(() => undefined)
    const pending = work.pending!
    let settled = false
    void pending.then(() => (settled = true))
    finishFirst()
    expect(await first).toBe(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    failSecond(new Error("wrong password"))
    await pending
    expect(settled).toBe(true)
    expect(work.pending).toBeUndefined()
  })
})
