/** One cleanup step: stop a process, close a client, remove a directory. */
export type CleanupTask = () => Promise<void> | void

/**
 * Cleanup steps registered right after each resource is created and run in
 * reverse order, once. A step registered after {@link run} started (a resource
 * created by a step still in flight when the demo was interrupted) runs at once.
 */
export class CleanupStack {
  private readonly tasks: CleanupTask[] = []
  private running: Promise<void> | undefined

  /** Whether {@link run} has started. */
  get closed(): boolean {
    return this.running !== undefined
  }

  /** Registers `task` to run at cleanup (or now, when cleanup already started). */
  add(task: CleanupTask): void {
    if (this.running === undefined) this.tasks.push(task)
    else void runQuietly(task)
  }

  /** Runs every registered step, last first; a failing step does not stop the others. Idempotent. */
  run(): Promise<void> {
    this.running ??= this.drain()
    return this.running
  }

  private async drain(): Promise<void> {
    for (let task = this.tasks.pop(); task !== undefined; task = this.tasks.pop()) await runQuietly(task)
  }
}

async function runQuietly(task: CleanupTask): Promise<void> {
  try {
    await task()
  } catch {
    // Cleanup is best effort: one stuck process must not keep the others or the homes around.
  }
}
