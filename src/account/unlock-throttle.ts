/** Wrong passwords allowed before each further try must wait. */
const FREE_ATTEMPTS = 3
const FIRST_DELAY_MS = 1_000
const MAX_DELAY_MS = 5 * 60_000

/** Persisted count of consecutive wrong passwords and when the last one was. */
export interface ThrottleState {
  failures: number
  lastFailureAt: number
}

/**
 * How long an unlock must wait after `failures` consecutive wrong passwords:
 * nothing for the first few, then doubling from 1 s up to 5 min. Survives restarts
 * because the state is stored, so restarting the daemon does not reset it.
 */
export function retryAfterMs(state: ThrottleState, now: number): number {
  if (state.failures < FREE_ATTEMPTS) return 0
  const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (state.failures - FREE_ATTEMPTS))
  return Math.max(0, state.lastFailureAt + delay - now)
}
