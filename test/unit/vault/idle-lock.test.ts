import { afterEach, describe, expect, it, vi } from "vitest"
import { IdleLock } from "../../../src/vault/idle-lock.js"
import { setAutoLock, storedAutoLockMinutes } from "../../../src/app/auto-lock-setting.js"
import { codeOf } from "../../helpers/error-code.js"

describe("the idle auto-lock", () => {
  afterEach(() => vi.useRealTimers())

  it("locks after the minutes without activity, restarts on activity, and takes new minutes while running", () => {
    vi.useFakeTimers()
    const onIdle = vi.fn()
    const idle = new IdleLock({ onIdle }, { minutes: 2 })
    idle.restart()
    vi.advanceTimersByTime(119_000)
    idle.restart()
    vi.advanceTimersByTime(119_000)
    expect(onIdle).not.toHaveBeenCalled()
    idle.set(1, true)
    vi.advanceTimersByTime(59_000)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1_000)
    expect(onIdle).toHaveBeenCalledTimes(1)
    idle.set(0, true)
    vi.advanceTimersByTime(7 * 24 * 3_600_000)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it("refuses minutes that are negative, fractional, over a week or not numbers", () => {
    const idle = new IdleLock({ onIdle: () => undefined })
    expect(idle.minutes).toBe(15)
    for (const bad of [-1, 1.5, 7 * 24 * 60 + 1, "5", undefined]) expect(codeOf(() => idle.set(bad as number, false))).toBe("INVALID_PARAMS")
    expect(idle.minutes).toBe(15)
  })

  it("settings.autoLock applies the minutes and keeps them in the device's meta, only while unlocked; an unreadable stored value counts as none", () => {
    const meta = new Map<string, string>()
    const store = { getMeta: (k: string) => meta.get(k), setMeta: (k: string, v: string) => void meta.set(k, v) }
    const applied: number[] = []
    expect(storedAutoLockMinutes(store)).toBeUndefined()
    const vault = { locked: false, setAutoLockMinutes: (m: number) => void applied.push(m) }
    expect(setAutoLock({ vault, store }, 30)).toEqual({ autoLockMinutes: 30 })
    expect(applied).toEqual([30])
    expect(storedAutoLockMinutes(store)).toBe(30)
    expect(codeOf(() => setAutoLock({ vault, store }, -5))).toBe("INVALID_PARAMS")
    expect(codeOf(() => setAutoLock({ vault: { ...vault, locked: true }, store }, 0))).toBe("LOCKED")
    expect(applied).toEqual([30])
    expect(storedAutoLockMinutes(store)).toBe(30)
    meta.set("vault.autoLockMinutes", "soon")
    expect(storedAutoLockMinutes(store)).toBeUndefined()
  })
})
