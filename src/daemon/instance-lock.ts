import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs"
import { LanvaultError } from "../errors.js"

/**
 * One daemon per home: a lock file created exclusively, holding the owner's pid.
 * A file left by a process that no longer exists (a `kill -9`) is taken over.
 */
export class InstanceLock {
  private released = false

  private constructor(readonly path: string) {}

  static acquire(path: string): InstanceLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, "wx", 0o600)
        writeSync(fd, `${process.pid}\n`)
        closeSync(fd)
        return new InstanceLock(path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
        const owner = readOwner(path)
        if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
          throw new LanvaultError("ALREADY_RUNNING", `a lanvault daemon (pid ${owner}) is already running for this home`, { data: { pid: owner } })
        }
        rmSync(path, { force: true })
      }
    }
    throw new LanvaultError("ALREADY_RUNNING", `could not take the daemon lock ${path}`)
  }

  release(): void {
    if (this.released) return
    this.released = true
    if (readOwner(this.path) === process.pid) rmSync(this.path, { force: true })
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
