import { InvalidParamsError, NotFoundError } from "../errors.js"
import type { MetaTable } from "../account/index.js"
import type { DeviceBook } from "./ports.js"

/** One device of the trust list as `devices.list` shows it. */
export interface DeviceView {
  deviceId: string
  name: string
  self: boolean
  revoked: boolean
  addedAt: number
  lastSeenAt?: number
  /** Entries of this device we hold (highest seq). */
  seq: number
  state?: "connected" | "disconnected"
  address?: string
}

export interface DeviceListDeps {
  store: Pick<DeviceBook, "versionVector" | "trustList">
  selfId: string
  /** The live sync sessions (none when unknown). */
  sessions?: () => Array<{ remoteDeviceId: string; address: string }>
}

/** The trust list with each device's progress and link state. */
export function listDevices({ store, selfId, sessions }: DeviceListDeps): DeviceView[] {
  const vector = store.versionVector()
  const linked = new Map((sessions?.() ?? []).map((s) => [s.remoteDeviceId, s]))
  return store.trustList().map((device) => ({
    deviceId: device.deviceId,
    name: device.name,
    self: device.deviceId === selfId,
    revoked: device.revokedAt !== undefined,
    addedAt: device.addedAt,
    lastSeenAt: device.lastSeenAt,
    seq: vector[device.deviceId] ?? 0,
    ...(device.deviceId === selfId ? {} : {
      state: linked.has(device.deviceId) ? "connected" as const : "disconnected" as const,
      address: linked.get(device.deviceId)?.address,
    }),
  }))
}

/**
 * Renames a device of the trust list (this one's name is also kept in meta). The
 * name carries the rename's time, later than any it replaces, so it syncs like any
 * change: the newest rename wins on every device (sync/trust-merge.ts newerName).
 * `signRename` signs the rename with the account's trust key (only an unlocked
 * device holds it; peers adopt only signed renames). The caller publishes the trust list.
 */
export function renameDevice(
  store: Pick<DeviceBook, "versionVector" | "trustList" | "getTrust" | "putTrust"> & Pick<MetaTable, "setMeta">, selfId: string, deviceId: string, name: string,
  signRename: (deviceId: string, name: string, renamedAt: number) => Uint8Array, now = Date.now(),
): DeviceView {
  const device = store.getTrust(deviceId)
  if (!device) throw new NotFoundError(`device ${deviceId}`)
  if (name.trim().length === 0 || name.length > 100) throw new InvalidParamsError("a device name has 1 to 100 characters")
  const renamedAt = Math.max(now, (device.renamedAt ?? 0) + 1)
  const renameSig = signRename(deviceId, name.trim(), renamedAt)
  store.putTrust({ ...device, name: name.trim(), renamedAt, renameSig })
  if (deviceId === selfId) store.setMeta("device.name", name.trim())
  return listDevices({ store, selfId }).find((d) => d.deviceId === deviceId)!
}
