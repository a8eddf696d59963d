import { CorruptDataError } from "../errors.js"

/**
 * Some changes given to `VaultDoc.applyChanges` could not be read and were
 * skipped; every readable one was merged. Carries what a caller needs to carry
 * on: the records that did change, and how many changes were skipped.
 */
export class UnreadableChangesError extends CorruptDataError {
  constructor(
    readonly unreadable: number,
    readonly changedIds: string[],
    options?: { cause?: unknown },
  ) {
    super(`${unreadable} change(s) could not be read and were skipped; the others were merged`, options)
  }
}
