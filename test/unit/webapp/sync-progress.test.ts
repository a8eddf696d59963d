import { describe, expect, it } from "vitest"
import { nextSyncProgress, overallProgress, type ProgressEvent, type SyncProgress } from "../../../src/webapp/ui/sync-progress.js"

const A = "a".repeat(32)
const B = "b".repeat(32)

function run(events: ProgressEvent[]): SyncProgress {
  return events.reduce(nextSyncProgress, {} as SyncProgress)
}

describe("the app's first-sync bar", () => {
  it("follows one device's sync and goes when done reaches total", () => {
    expect(overallProgress(run([{ type: "sync.progress", deviceId: A, done: 500, total: 999 }]))).toEqual({ done: 500, total: 999 })
    expect(overallProgress(run([{ type: "sync.progress", deviceId: A, done: 500, total: 999 }, { type: "sync.progress", deviceId: A, done: 999, total: 999 }]))).toBeUndefined()
  })

  it("adds up syncs from several devices, and one finishing leaves the other's", () => {
    const both = run([
      { type: "sync.progress", deviceId: A, done: 100, total: 400 },
      { type: "sync.progress", deviceId: B, done: 50, total: 100 },
    ])
    expect(overallProgress(both)).toEqual({ done: 150, total: 500 })
    expect(overallProgress(nextSyncProgress(both, { type: "sync.progress", deviceId: B, done: 100, total: 100 }))).toEqual({ done: 100, total: 400 })
  })

  it("drops a sync whose device disconnected, and every sync when the daemon link goes", () => {
    const both = run([
      { type: "sync.progress", deviceId: A, done: 100, total: 400 },
      { type: "sync.progress", deviceId: B, done: 50, total: 100 },
    ])
    expect(overallProgress(nextSyncProgress(both, { type: "peer.disconnected", deviceId: A }))).toEqual({ done: 50, total: 100 })
    expect(overallProgress(nextSyncProgress(both, { type: "daemon", connected: false }))).toBeUndefined()
    expect(nextSyncProgress(both, { type: "record.changed", id: "x", origin: "remote" })).toBe(both)
  })

  it("keeps serving a device apart from receiving from it, and a disconnect ends both", () => {
    const both = run([
      { type: "sync.progress", deviceId: A, done: 100, total: 400, phase: "sync" },
      { type: "sync.progress", deviceId: A, done: 10, total: 1_000, phase: "serve" },
    ])
    expect(overallProgress(both)).toEqual({ done: 110, total: 1_400 })
    expect(overallProgress(nextSyncProgress(both, { type: "sync.progress", deviceId: A, done: 1_000, total: 1_000, phase: "serve" }))).toEqual({ done: 100, total: 400 })
    expect(overallProgress(nextSyncProgress(both, { type: "peer.disconnected", deviceId: A }))).toBeUndefined()
  })
})
