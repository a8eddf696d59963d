import { deriveTrustKey, generateDeviceKeys, randomBytes, toHex, type DeviceKeys } from "../../../src/crypto/index.js"
import { signAdd, signRename, signRevoke, TrustVerifier } from "../../../src/store/trust-proof.js"
import type { Logger } from "../../../src/log.js"
import { sealEntry, type LogEntry } from "../../../src/store/log-entry.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import type { TrustEntry, VaultStore } from "../../../src/store/vault-store.js"
import { Replicator, type ReplicatorOptions } from "../../../src/sync/replicator.js"
import type { SnapshotPort } from "../../../src/sync/snapshot-exchange.js"
import { linkPair, type MemoryLink, type TraceLine } from "./memory-link.js"

export { recordingLogger, type LogLine } from "../helpers/recording-logger.js"
import type { LogLine } from "../helpers/recording-logger.js"
import { recordingLogger } from "../helpers/recording-logger.js"

/** Turns of the event loop settle() waits at most for sessions still checking what they received. */
const SETTLE_MAX_TURNS = 10_000

/** A device of the test account: keys, a store and its replicator. */
export interface Device {
  deviceId: string
  name: string
  keys: DeviceKeys
  store: VaultStore
  logger: Logger & { lines: LogLine[] }
  replicator: Replicator
  /** The account key this device holds: sent with its keyset, replaced with a peer's it takes. */
  accountKey: Uint8Array
}

/** An account whose devices all trust each other. */
export interface Account {
  accountId: Uint8Array
  vaultKey: Uint8Array
  devices: Device[]
}

export function newDeviceIdentity(name: string): { deviceId: string; name: string; keys: DeviceKeys } {
  return { deviceId: toHex(randomBytes(16)), name, keys: generateDeviceKeys() }
}

/** The account trust key of every test account (as an unlocked device derives it from the root vault key). */
export const TRUST_KEY = deriveTrustKey(randomBytes(32))

/** `entry` with its addition signed by the trust key, as an unlocked device adds a device. */
export function signedAdd(accountId: Uint8Array, entry: TrustEntry): TrustEntry {
  return { ...entry, addSig: signAdd(TRUST_KEY.secret, accountId, entry) }
}

/** `entry` renamed to `name` at `renamedAt` as an unlocked device renames: signed by the trust key. */
export function renameSigned(accountId: Uint8Array, entry: TrustEntry, name: string, renamedAt: number): TrustEntry {
  return { ...entry, name, renamedAt, renameSig: signRename(TRUST_KEY.secret, accountId, entry.deviceId, name, renamedAt) }
}

/** Revokes `deviceId` in `store` as an unlocked device does: signed, with its last seq held as the cutoff. */
export function revokeSigned(accountId: Uint8Array, store: VaultStore, deviceId: string, at: number): void {
  const entry = store.getTrust(deviceId)!
  const lastSeq = store.head(deviceId)
  store.putTrust({ ...entry, revokedAt: at, lastSeq, revokeSig: signRevoke(TRUST_KEY.secret, accountId, deviceId, at, lastSeq) })
}

export function trustOf(device: { deviceId: string; name: string; keys: DeviceKeys }, addedAt = 1_000): TrustEntry {
  return { deviceId: device.deviceId, name: device.name, signPublic: device.keys.signPublic, dhPublic: device.keys.dhPublic, addedAt }
}

/**
 * `names.length` devices, each with a store (a MemoryStore unless `newStore`
 * says otherwise) holding its identity and a trust list of all of them.
 */
export function makeAccount(
  names: string[], options: ReplicatorOptions = {}, newStore: () => VaultStore = () => new MemoryStore(),
  snapshots?: (device: { keys: DeviceKeys }) => SnapshotPort,
): Account {
  const accountId = randomBytes(16)
  const accountKey = randomBytes(16)
  const identities = names.map(newDeviceIdentity)
  const devices = identities.map((identity) => {
    const store = newStore()
    store.setIdentity({ deviceId: identity.deviceId, signSecret: identity.keys.signSecret, dhSecret: identity.keys.dhSecret })
    for (const other of identities) store.putTrust(signedAdd(accountId, trustOf(other)))
    const logger = recordingLogger()
    const device = { ...identity, store, logger, accountKey }
    const keysets = {
      accountKey: () => device.accountKey,
      accept: (version: number, blob: Uint8Array, key: Uint8Array) => {
        const taken = store.putKeyset(version, blob)
        if (taken) device.accountKey = key
        return taken
      },
    }
    const replicator = new Replicator({ store, logger, accountId, deviceId: identity.deviceId, keysets, trustChecks: new TrustVerifier(accountId, () => TRUST_KEY.publicKey), snapshots: snapshots?.(device) }, options)
    replicators.add(replicator)
    return Object.assign(device, { replicator })
  })
  return { accountId, vaultKey: randomBytes(32), devices }
}

/** Seals `count` new entries of `device`'s own log (continuing its head) without storing them. */
export function sealOwn(account: Account, device: { deviceId: string; keys: DeviceKeys }, fromSeq: number, count: number, payloadBytes = 64): LogEntry[] {
  return Array.from({ length: count }, (_, i) => sealEntry({
    accountId: account.accountId, deviceId: device.deviceId, seq: fromSeq + i, epoch: 1,
    vaultKey: account.vaultKey, signSecret: device.keys.signSecret, payload: randomBytes(payloadBytes),
  }))
}

/** Appends `count` own entries to a device's store, as the daemon does after an edit; returns them. */
export function appendOwn(account: Account, device: Device, count: number, payloadBytes = 64): LogEntry[] {
  const entries = sealOwn(account, device, device.store.head(device.deviceId) + 1, count, payloadBytes)
  for (const entry of entries) device.store.appendOwn(entry)
  return entries
}

/** Connects two devices' replicators over a fresh in-memory link pair. */
export function connect(a: Device, b: Device, trace?: TraceLine[]): [MemoryLink, MemoryLink] {
  const [aToB, bToA] = linkPair(a.deviceId, b.deviceId, trace)
  a.replicator.addLink(aToB)
  b.replicator.addLink(bToA)
  return [aToB, bToA]
}

/** Replicators of the accounts made here: {@link settle} waits for them. */
const replicators = new Set<Replicator>()

/**
 * Waits until every queued message was delivered (links deliver in microtasks)
 * and every session has checked what it received (large batches are verified
 * a slice per turn of the event loop).
 */
export async function settle(): Promise<void> {
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  for (let i = 0; i < 3; i++) await turn()
  for (let i = 0; i < SETTLE_MAX_TURNS && [...replicators].some((r) => r.receiving); i++) {
    for (let j = 0; j < 3; j++) await turn()
  }
}

/** Entries a store holds, as comparable hex strings. */
export function dump(store: VaultStore): string[] {
  return store.entriesAfter({}).map((e) => `${e.deviceId}:${e.seq}:${toHex(e.signature)}`)
}
