import { LanvaultError } from "../../src/errors.js"

/**
 * The stable code `fn` throws (tests assert codes, not messages): undefined if
 * it returns, "untyped" for an error that is not a LanvaultError.
 */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof LanvaultError ? error.code : "untyped"
  }
  return undefined
}

/** {@link codeOf} for a promise (a socket call, an async operation). */
export async function codeOfAsync(work: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof work === "function" ? work() : work)
  } catch (error) {
    return error instanceof LanvaultError ? error.code : "untyped"
  }
  return undefined
}
