import type { LanvaultClient } from "../../src/api/client.js"

const POLL_MS = 100

/**
 * Runs `join` (a `lanvault join` against this host) while answering yes to the
 * code it shows, as a person on the host would after comparing screens
 * (`pairing.status` then `pairing.confirm`, issue 17). Resolves with what `join`
 * returned and the code the host confirmed (undefined if none was shown).
 */
export async function whileConfirming<T>(host: LanvaultClient, join: () => Promise<T>): Promise<{ result: T; code: string | undefined }> {
  let done = false
  let code: string | undefined
  const confirming = (async () => {
    while (!done) {
      const { pending } = await host.call("pairing.status", {}).catch(() => ({ pending: undefined }))
      if (pending !== undefined && pending.code !== code) {
        code = pending.code
        await host.call("pairing.confirm", { accept: true, code }).catch(() => undefined)
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  })()
  try {
    return { result: await join(), code }
  } finally {
    done = true
    await confirming
  }
}
