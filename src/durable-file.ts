import { open } from "node:fs/promises"

/**
 * Makes a rename in `dir` durable by syncing the directory. Best effort: not every
 * platform or file system can open a directory, which is fine.
 */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r")
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // best effort
  }
}
