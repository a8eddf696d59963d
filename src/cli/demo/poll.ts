import { LanvaultError } from "../../errors.js"

const POLL_INTERVAL_MS = 25

/**
 * Calls `check` until it returns something other than undefined, then returns
 * that; TIMEOUT (saying `what`, and the last error) after `timeoutMs`.
 */
export async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : ""
      throw new LanvaultError("TIMEOUT", `timed out after ${timeoutMs / 1000} s waiting for ${what}${why}`)
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
  }
}
