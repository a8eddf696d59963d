/**
 * A stolen, locked device as a test peer (issue 17): it holds what a thief
 * takes with the laptop — the account key file and the device keys in vault.db —
 * but not the password. Built from the project's own parts (the store, the
 * Noise handshake, the sync codec), it speaks to a real daemon as that device.
 */
import { homePaths, META, readAccountKey } from "../../../src/account/index.js"
import { SqliteStore } from "../../../src/store/index.js"
import { encodeMessage, type SyncMessage, type TrustInfo } from "../../../src/sync/messages.js"
import { NO_KEYSET } from "../../../src/store/keyset-rank.js"
import { helloFor, nextLoopbackAddress, RogueConnection, syncInbox, trustedHandshake, TRUSTED_PATH, type RogueSession } from "./rogue-peer.js"

/** What a thief holds of a device (its daemon stopped). */
export interface StolenDevice {
  deviceId: string
  signSecret: Uint8Array
  dhSecret: Uint8Array
  accountKey: Uint8Array
  accountIdHex: string
  trust: TrustInfo[]
}

/** Reads a device's secrets from its home with the project's own store (no password needed). */
export function stealDevice(home: string): StolenDevice {
  const store = SqliteStore.open(homePaths(home).database)
  try {
    const identity = store.getIdentity()
    if (!identity) throw new Error(`${home} holds no identity`)
    const trust = store.trustList().map(({ lastSeenAt: _seen, ...entry }) => entry)
    return {
      deviceId: identity.deviceId, signSecret: identity.signSecret, dhSecret: identity.dhSecret,
      accountKey: readAccountKey(home), accountIdHex: store.getMeta(META.accountId)!, trust,
    }
  } finally {
    store.close()
  }
}

/** The Noise static key of `deviceId` as the stolen device's trust list knows it (the responder's, for IK). */
export function staticOf(stolen: StolenDevice, deviceId: string): Uint8Array {
  const entry = stolen.trust.find((t) => t.deviceId === deviceId)
  if (!entry) throw new Error(`the stolen device does not know ${deviceId}`)
  return entry.dhPublic
}

/**
 * A trusted link to `target` (its daemon on `port`) as the stolen device,
 * hellos exchanged; `trust` is what its sync hello claims.
 */
export async function linkAsStolen(
  target: { port: number; deviceId: string }, stolen: StolenDevice, trust: TrustInfo[] = stolen.trust,
): Promise<RogueSession & { inbox: ReturnType<typeof syncInbox> }> {
  const rogue = await RogueConnection.open(target.port, { path: TRUSTED_PATH, from: nextLoopbackAddress() })
  const session = await trustedHandshake(rogue, stolen.dhSecret, helloFor(stolen.accountIdHex, stolen.deviceId), staticOf(stolen, target.deviceId))
  const inbox = syncInbox(session.channel)
  await inbox.next("hello")
  session.channel.send(encodeMessage({ type: "hello", vector: {}, keyset: NO_KEYSET, trust } satisfies SyncMessage))
  return { ...session, inbox }
}
