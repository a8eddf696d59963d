import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateDeviceKeys, randomBytes, toHex, utf8, type DeviceKeys } from "../../../src/crypto/index.js"
import type { Logger } from "../../../src/log.js"
import { sealEntry, type LogEntry } from "../../../src/store/log-entry.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import type { TrustEntry, VaultStore } from "../../../src/store/vault-store.js"

export { recordingLogger, type LogLine } from "../helpers/recording-logger.js"
import type { LogLine } from "../helpers/recording-logger.js"
import { recordingLogger } from "../helpers/recording-logger.js"

/** A device of the test account: its keys and its store. */
export interface TestDevice {
  deviceId: string
  name: string
  keys: DeviceKeys
  store: VaultStore
  logger: Logger & { lines: LogLine[] }
}

export interface TestAccount {
  accountId: Uint8Array
  vaultKey: Uint8Array
  devices: TestDevice[]
}

export function trustOf(device: { deviceId: string; name: string; keys: DeviceKeys }, addedAt = 1_000): TrustEntry {
  return { deviceId: device.deviceId, name: device.name, signPublic: device.keys.signPublic, dhPublic: device.keys.dhPublic, addedAt }
}

/** Devices that all trust each other, each with its own store (MemoryStore unless `newStore` says otherwise). */
export function makeAccount(names: string[], newStore: () => VaultStore = () => new MemoryStore()): TestAccount {
  const accountId = randomBytes(16)
  const identities = names.map((name) => ({ deviceId: toHex(randomBytes(16)), name, keys: generateDeviceKeys() }))
  const devices = identities.map((identity) => {
    const store = newStore()
    store.setIdentity({ deviceId: identity.deviceId, signSecret: identity.keys.signSecret, dhSecret: identity.keys.dhSecret })
    for (const other of identities) store.putTrust(trustOf(other))
    return { ...identity, store, logger: recordingLogger() }
  })
  return { accountId, vaultKey: randomBytes(32), devices }
}

/** Seals entries fromSeq… of a device; the payload of each is `text` plus its seq (or random bytes). */
export function sealEntries(account: TestAccount, device: { deviceId: string; keys: DeviceKeys }, fromSeq: number, count: number, text?: string): LogEntry[] {
  return Array.from({ length: count }, (_, i) => sealEntry({
    accountId: account.accountId, deviceId: device.deviceId, seq: fromSeq + i, epoch: 1,
    vaultKey: account.vaultKey, signSecret: device.keys.signSecret,
    payload: text === undefined ? randomBytes(64) : utf8(`${text} #${fromSeq + i}`),
  }))
}

/** Appends `count` own entries to a device's store, as the daemon does after an edit. */
export function appendOwn(account: TestAccount, device: TestDevice, count: number, text?: string): LogEntry[] {
  const entries = sealEntries(account, device, device.store.head(device.deviceId) + 1, count, text)
  for (const entry of entries) device.store.appendOwn(entry)
  return entries
}

/** Entries a store holds, as comparable strings. */
export function dump(store: VaultStore): string[] {
  return store.entriesAfter({}).map((e) => `${e.deviceId}:${e.seq}:${toHex(e.signature)}`)
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** Polls until `check` holds (or throws its last failure after `timeoutMs`). */
export async function waitFor(check: () => boolean | void, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      if (check() !== false) return
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw last ?? new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
