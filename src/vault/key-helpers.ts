import { randomInt } from "node:crypto"
import { parseKeyset, readAccountKey, type WrappedKeyset } from "../account/index.js"

const MAX_EPOCH_ID = 0xffff_ffff

/** A random epoch id not yet in use (u32, as log entries carry it). */
export function newEpochId(taken: ReadonlyMap<number, unknown>): number {
  for (;;) {
    const epoch = randomInt(1, MAX_EPOCH_ID)
    if (!taken.has(epoch)) return epoch
  }
}

export function tryParseKeyset(blob: Uint8Array): WrappedKeyset | undefined {
  try {
    return parseKeyset(blob)
  } catch {
    return undefined
  }
}

export function readAccountKeyIfAny(home: string): Uint8Array | undefined {
  try {
    return readAccountKey(home)
  } catch {
    return undefined
  }
}
