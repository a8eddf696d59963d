/**
 * Work under way that other work lets go first (the unlocks: a new device's
 * backfill is checked once they are done), as one promise that settles once
 * every piece tracked so far has, whatever its outcome.
 */
export class PendingWork {
  private all: Promise<unknown> | undefined

  /** Settles once everything tracked is done; undefined when nothing is under way. */
  get pending(): Promise<unknown> | undefined {
    return this.all
  }

  /** Tracks `work` and hands it back unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const all: Promise<unknown> = Promise.allSettled([this.all, work]).then(() => {
      if (this.all === all) this.all = undefined
    })
    this.all = all
    return work
  }
}
