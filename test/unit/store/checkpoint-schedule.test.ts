import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { CheckpointSchedule, type CheckpointScheduleOptions } from "../../../src/store/checkpoint-schedule.js"
import type { CheckpointPass } from "../../../src/store/checkpoint-thread.js"
import type { WalFrames } from "../../../src/store/wal-index.js"

const OPTIONS = { dueFrames: 100, boundFrames: 1_000, idleMs: 50 } satisfies CheckpointScheduleOptions

/**
 * A WAL as SQLite keeps it: writes append frames; a pass copies those there when it
 * started; the first write after everything was copied restarts it from its start.
 */
class FakeWal {
  frames = 0
  copied = 0
  inline = 0
  background: Array<{ upTo: number; resolve: (pass: CheckpointPass) => void; reject: (error: Error) => void }> = []

  write(frames: number): void {
    if (this.frames > 0 && this.copied === this.frames) this.frames = this.copied = 0
    this.frames += frames
  }

  read(): WalFrames {
    return { frames: this.frames, pending: this.frames - this.copied }
  }

  /** Ends the oldest background pass: it copied what was there when it started. */
  finishPass(): void {
    const pass = this.background.shift()!
    this.copied = Math.max(this.copied, pass.upTo)
    pass.resolve({ busy: false, frames: pass.upTo, copied: pass.upTo })
  }
}

function setUp(options: CheckpointScheduleOptions = OPTIONS) {
  const wal = new FakeWal()
  const failed = vi.fn()
  const schedule = new CheckpointSchedule({
    frames: () => wal.read(),
    background: () => new Promise((resolve, reject) => wal.background.push({ upTo: wal.frames, resolve, reject })),
    inline: () => {
      wal.inline++
      wal.copied = wal.frames
    },
    failed,
    now: () => Date.now(),
  }, options)
  const write = (frames: number) => {
    wal.write(frames)
    schedule.afterWrite()
  }
  return { wal, schedule, write, failed }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe("CheckpointSchedule", () => {
  it("never checkpoints on the writer's thread while the background keeps up: the write that makes a checkpoint due starts one in the background and returns", () => {
    const { wal, write } = setUp()
    for (let i = 0; i < 99; i++) write(1)
    expect(wal.background).toHaveLength(0)
    write(1)
    expect(wal.background).toHaveLength(1)
    expect(wal.background[0].upTo).toBe(100)
    expect(wal.inline).toBe(0)
  })

  it("runs one background pass at a time, and another at once if a pass's worth came meanwhile", async () => {
    const { wal, write } = setUp()
    write(100)
    write(150)
    expect(wal.background).toHaveLength(1)
    wal.finishPass()
    await vi.advanceTimersByTimeAsync(0)
    expect(wal.background).toHaveLength(1)
    expect(wal.background[0].upTo).toBe(250)
    wal.finishPass()
    await vi.advanceTimersByTimeAsync(0)
    expect(wal.read().pending).toBe(0)
    expect(wal.inline).toBe(0)
  })

  it("passes again after each write while the WAL is long, until one finds everything copied and the WAL restarts from its start", async () => {
    const { wal, write } = setUp()
    write(100)
    write(2) // came while the pass ran: the WAL cannot restart yet
    wal.finishPass()
    await vi.advanceTimersByTimeAsync(0)
    expect(wal.background).toHaveLength(0)
    write(2)
    expect(wal.background).toHaveLength(1)
    wal.finishPass()
    await vi.advanceTimersByTimeAsync(0)
    write(1)
    expect(wal.read()).toEqual({ frames: 1, pending: 1 })
    expect(wal.background).toHaveLength(0)
  })

  it("copies what waits at the next idle moment, not while writes keep coming", async () => {
    const { wal, write } = setUp()
    write(5)
    await vi.advanceTimersByTimeAsync(40)
    write(5)
    await vi.advanceTimersByTimeAsync(40)
    expect(wal.background).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(20)
    expect(wal.background).toHaveLength(1)
    expect(wal.background[0].upTo).toBe(10)
  })

  it("stops and says so when a background pass fails", async () => {
    const { wal, write, failed } = setUp()
    write(100)
    wal.background.shift()!.reject(new Error("worker gone"))
    await vi.advanceTimersByTimeAsync(0)
    expect(failed).toHaveBeenCalledOnce()
    write(500)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(wal.background).toHaveLength(0)
    expect(wal.inline).toBe(0)
  })

  it("past boundFrames with no pass running copies on the writer's thread, then not again until the WAL grew by dueFrames (a reader may hold it)", async () => {
    const { wal, write } = setUp({ ...OPTIONS, boundFrames: 300 })
    wal.frames = 299
    wal.copied = 299 - 50
    // A reader holding the WAL: it never restarts. The write that reaches the bound copies at once.
    wal.write = (frames) => void (wal.frames += frames)
    write(1)
    expect(wal.inline).toBe(1)
    expect(wal.read().pending).toBe(0)
    write(50)
    expect(wal.inline).toBe(1)
    expect(wal.background).toHaveLength(1) // the WAL is long: the background keeps at it
    wal.finishPass()
    await vi.advanceTimersByTimeAsync(0)
    write(49)
    wal.finishPass()
    await vi.advanceTimersByTimeAsync(0)
    expect(wal.inline).toBe(1)
    write(1) // 400 frames: the bound's next step
    expect(wal.inline).toBe(2)
  })

  it("does nothing once stopped", async () => {
    const { wal, schedule, write } = setUp()
    write(10)
    schedule.stop()
    write(500)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(wal.background).toHaveLength(0)
    expect(wal.inline).toBe(0)
  })
})
