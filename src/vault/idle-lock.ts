import { InvalidParamsError } from "../errors.js"

/** The default idle time before the vault locks itself. */
export const DEFAULT_AUTO_LOCK_MINUTES = 15
/** The longest idle time one may choose: a week. 0 means never. */
export const MAX_AUTO_LOCK_MINUTES = 7 * 24 * 60
const MS_PER_MINUTE = 60_000

/** Throws INVALID_PARAMS unless `minutes` is a whole number from 0 (never) to a week. */
export function checkAutoLockMinutes(minutes: unknown): number {
  if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 0 || minutes > MAX_AUTO_LOCK_MINUTES) {
    throw new InvalidParamsError(`auto-lock minutes must be a whole number from 0 (never) to ${MAX_AUTO_LOCK_MINUTES}`)
  }
  return minutes
}

/**
 * The idle auto-lock timer: every activity restarts it; after `minutes` without
 * one it calls `onIdle`. 0 minutes = never. The minutes may change while it runs.
 */
export class IdleLock {
  private timer: NodeJS.Timeout | undefined
  private current: number

  constructor(private readonly deps: { onIdle: () => void }, options: { minutes?: number } = {}) {
    this.current = checkAutoLockMinutes(options.minutes ?? DEFAULT_AUTO_LOCK_MINUTES)
  }

  get minutes(): number {
    return this.current
  }

  /** New idle time; restarts the timer from now when it was running. */
  set(minutes: number, running: boolean): void {
    this.current = checkAutoLockMinutes(minutes)
    if (running) this.restart()
    else this.clear()
  }

  /** Activity: the idle time starts again. */
  restart(): void {
    this.clear()
    if (this.current <= 0) return
    this.timer = setTimeout(() => this.deps.onIdle(), this.current * MS_PER_MINUTE)
    this.timer.unref()
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
