import { joinAccount, type JoinArgs, type JoinResult } from "../pairing/index.js"
import { InstanceLock } from "./instance-lock.js"

/**
 * `lanvault join`: pairs this home with a device of the account (pairing/join),
 * holding the same instance lock as a daemon so the two never write one home.
 */
export function runJoin(args: Omit<JoinArgs, "lockHome">): Promise<JoinResult> {
  return joinAccount({ ...args, lockHome: (lockPath) => InstanceLock.acquire(lockPath) })
}
