import type { HistoryEntry } from "../merge/types.js"
import type { DeviceBook } from "./ports.js"
import type { VaultService } from "../vault/index.js"

/** A history entry as `records.history` answers: with the name the trust list gives the device that wrote it. */
export type NamedHistoryEntry = HistoryEntry & { deviceName?: string }

/**
 * `records.history`: every earlier and every conflicting value of a record, newest
 * first, each with the device that made it (id, and its name in the trust list; a
 * revoked device keeps its name). Values imported or written before devices were
 * kept name none.
 */
export function recordHistory(deps: { vault: Pick<VaultService, "history">; store: Pick<DeviceBook, "trustList"> }, id: string): NamedHistoryEntry[] {
  const entries = deps.vault.history(id)
  if (!entries.some((entry) => entry.deviceId !== undefined)) return entries
  const names = new Map(deps.store.trustList().map((device) => [device.deviceId, device.name]))
  return entries.map((entry) => {
    const name = entry.deviceId === undefined ? undefined : names.get(entry.deviceId)
    return name === undefined ? entry : { ...entry, deviceName: name }
  })
}
