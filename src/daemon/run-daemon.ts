import { existsSync } from "node:fs"
import { setFlagsFromString } from "node:v8"
import { homePaths } from "../account/index.js"
import { LanvaultError } from "../errors.js"
import { createLogger, errorFields } from "../log.js"
import { Daemon, type DaemonOptions } from "./daemon.js"
import { InstanceLock } from "./instance-lock.js"

/**
 * `lanvault daemon`: runs in the foreground until SIGTERM or SIGINT, then stops
 * cleanly (everything acknowledged is already on disk; the snapshot is flushed).
 */
export async function runDaemon(options: DaemonOptions & { logLevel?: string }): Promise<void> {
  const logger = createLogger({ level: options.logLevel })
  const paths = homePaths(options.home)
  if (!existsSync(paths.database) || !existsSync(paths.accountKey)) {
    throw new LanvaultError("NO_ACCOUNT", `${options.home} holds no account: run \`lanvault init\` (new account) or \`lanvault join\` (existing account) first`)
  }
  const lock = InstanceLock.acquire(paths.lock)
  const daemon = new Daemon({ logger }, options)
  try {
    await daemon.start()
    // The bin started a daemon without V8's optimizing compiler (cli/daemon-heap.ts): work from here on gets it.
    setFlagsFromString("--opt")
    await waitForStopSignal()
  } catch (error) {
    logger.error("daemon failed", errorFields(error))
    throw error
  } finally {
    await daemon.stop()
    lock.release()
  }
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop)
      process.off("SIGINT", stop)
      resolve()
    }
    process.on("SIGTERM", stop)
    process.on("SIGINT", stop)
  })
}
