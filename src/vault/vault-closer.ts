import { errorFields, type Logger } from "../log.js"
import { releaseAfterLock } from "./heap-release.js"

/** What closing needs of a vault that was just locked. */
export interface ClosingVault {
  readonly entriesPending: number
  snapshot(): void
  snapshotInSlices(): Promise<void>
  close(): void
}

/**
 * How a locked vault is closed: `slices` writes its last snapshot in slices
 * that leave the event loop free (seconds after a big import), then closes it;
 * `now` writes it at once (shutdown: nobody waits for an answer); `drop` writes
 * none (a reset wipes the store anyway).
 */
export type CloseHow = "slices" | "now" | "drop"

/**
 * Closes vaults once they are locked: the last snapshot (if entries wait for
 * one), then their keys wiped, their documents freed and their memory handed
 * back (releaseAfterLock). At most one is being closed in slices at a time; a
 * later lock, shutdown or reset settles it first, and an unlock waits for it
 * ({@link settled}), so no snapshot of an old session lands after a new one opened.
 */
export class VaultCloser {
  private closing: { vault: ClosingVault; done: Promise<void> } | undefined

  constructor(private readonly deps: { logger: Logger }) {}

  /** Resolves once no vault is being closed (never rejects). */
  settled(): Promise<void> {
    return this.closing?.done ?? Promise.resolve()
  }

  /** Closes `vault` (see CloseHow), settling one still being closed first the same way (`slices` leaves it going). */
  close(vault: ClosingVault | undefined, how: CloseHow): void {
    if (how !== "slices") this.settle(how)
    if (vault === undefined) return
    if (how === "slices" && vault.entriesPending > 0 && this.closing === undefined) {
      this.closing = { vault, done: this.closeInSlices(vault) }
      return
    }
    this.closeNow(vault, how !== "drop")
  }

  private settle(how: "now" | "drop"): void {
    const closing = this.closing
    if (closing === undefined) return
    this.closing = undefined
    this.closeNow(closing.vault, how === "now")
  }

  private async closeInSlices(vault: ClosingVault): Promise<void> {
    try {
      await vault.snapshotInSlices()
      // One may have been under way already (the snapshot policy's), started before the last entries came.
      if (vault.entriesPending > 0 && this.closing?.vault === vault) await vault.snapshotInSlices()
    } catch (error) {
      this.deps.logger.warn("could not write a snapshot at lock; the log still holds everything", errorFields(error))
    }
    if (this.closing?.vault !== vault) return // settled meanwhile by a shutdown or a reset, which closed it
    this.closing = undefined
    vault.close()
    releaseAfterLock()
  }

  private closeNow(vault: ClosingVault, write: boolean): void {
    try {
      if (write && vault.entriesPending > 0) vault.snapshot()
    } catch (error) {
      this.deps.logger.warn("could not write a snapshot at lock; the log still holds everything", errorFields(error))
    }
    vault.close()
    releaseAfterLock()
  }
}
