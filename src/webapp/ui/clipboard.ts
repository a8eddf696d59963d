/** Copies to the clipboard and clears it again after a while, if it still holds what we put there. */

/** How long a copied secret stays on the clipboard. */
export const CLEAR_AFTER_MS = 30_000

let pending: { timer: ReturnType<typeof setTimeout>; value: string } | undefined

/** Writes `value`; 30 s later writes an empty string unless another copy happened since. */
export async function copyAndClear(value: string, clearAfterMs = CLEAR_AFTER_MS): Promise<void> {
  await navigator.clipboard.writeText(value)
  if (pending) clearTimeout(pending.timer)
  const mine = {
    value,
    timer: setTimeout(() => {
      if (pending !== mine) return
      pending = undefined
      // Reading back needs another permission; writing an empty string is what we can always do.
      void navigator.clipboard.writeText("").catch(() => {})
    }, clearAfterMs),
  }
  pending = mine
}
