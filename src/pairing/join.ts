import { hostname } from "node:os"
import { AsideKeysets, checkKdfBounds, ensureHome, homePaths, META, parseKeyset, writeAccountKey } from "../account/index.js"
import { generateDeviceKeys, pairingCode, pairingCommitment, PAIRING_NONCE_BYTES, randomBytes, toHex, wipe } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { SqliteStore } from "../store/index.js"
import { discoveryKeys, MdnsDiscovery } from "../discovery/index.js"
import { silentLogger, type Logger } from "../log.js"
import { dialWs, isLanAddress, runHandshake } from "../transport/index.js"
import { CONFIRM_TIMEOUT_MS } from "./pairing-confirmation.js"
import { PairingLink } from "./pairing-link.js"
import { decodeStep, decodeWelcome, encodeJoinRequest, encodeStep, type PairingStep, type Welcome } from "./pairing-messages.js"
import { PAIR_PATH, parsePeerAddress } from "../connections/peer-address.js"
import type { KeptVault } from "../backup/index.js"
import { keepFormer, unlockFormerVault, type FormerKeys } from "./join-former.js"

/** The host sends its nonce right after the handshake. */
const NONCE_TIMEOUT_MS = 15_000
/** The host waits up to CONFIRM_TIMEOUT_MS for a person; the welcome then takes a moment more. */
const WELCOME_TIMEOUT_MS = CONFIRM_TIMEOUT_MS + 15_000
const DISCOVERY_TIMEOUT_MS = 30_000
const DISCOVERY_POLL_MS = 250

export interface JoinResult {
  accountId: string
  deviceId: string
  deviceName: string
  hostName: string
  code: string
  /** The vault this home held before, kept as an encrypted backup (issue 11 item 2). */
  former?: KeptVault
}

/**
 * `lanvault join`: pairs this home with a device whose pairing window is open,
 * proving the account key in a Noise XXpsk3 handshake, then stores the account
 * id, keyset and trust list it hands over. The daemon must not be running here.
 * A vault the home held is kept as an encrypted backup; one of the same account
 * (from before a reset) is brought in at the first unlock when its old password
 * was given, else by `lanvault backup restore` (join-former.ts).
 */
export interface JoinArgs {
  home: string
  accountKey: Uint8Array
  peer?: string
  name?: string
  logger?: Logger
  /** Holds the home against a daemon while the join writes it (the daemon's instance lock). */
  lockHome: (lockPath: string) => { release(): void }
  /** Asked when the home holds a vault: its password (attempt 1, 2, 3), or undefined to keep it only as a backup. */
  oldPassword?: (attempt: number) => Promise<string | undefined>
  /** Called once both devices can show the code: show it, a person confirms it on the other device. */
  onCode?: (code: string, hostName: string) => void
}

type JoinWith = JoinArgs & { held: FormerKeys }

export async function joinAccount(args: JoinArgs): Promise<JoinResult> {
  const held = await unlockFormerVault(args.home, args.lockHome, args.oldPassword)
  try {
    if (args.peer) return await joinThrough({ ...args, held, peer: args.peer })
    return await joinByDiscovery({ ...args, held })
  } finally {
    for (const key of held.keys?.keys.values() ?? []) key.fill(0)
  }
}

/**
 * Finds devices of the account by mDNS (adverts whose `k=` tag matches the account
 * key) and pairs with the first whose pairing window is open.
 */
async function joinByDiscovery(args: JoinWith): Promise<JoinResult> {
  const logger = args.logger ?? silentLogger()
  const discovery = new MdnsDiscovery({ logger }, {
    port: 0,
    keys: discoveryKeys(randomBytes(16), args.accountKey),
    advertise: false,
    isAllowedAddress: (ip) => isLanAddress(ip),
  })
  const tried = new Set<string>()
  const refusals: string[] = []
  try {
    await discovery.start()
    const deadline = Date.now() + DISCOVERY_TIMEOUT_MS
    while (Date.now() < deadline) {
      for (const peer of discovery.peers().filter((p) => p.match !== "account")) {
        const address = peer.addresses.find((a) => !a.includes(":")) ?? peer.addresses[0]
        const target = address?.includes(":") ? `[${address}]:${peer.port}` : `${address}:${peer.port}`
        if (!address || tried.has(target)) continue
        tried.add(target)
        try {
          return await joinThrough({ ...args, peer: target })
        } catch (error) {
          if (!(error instanceof LanvaultError) || !["PEER_REFUSED", "TIMEOUT", "NOT_ALLOWED"].includes(error.code)) throw error
          refusals.push(`${target}: ${String(error.data?.reason ?? error.message)}`)
        }
      }
      await new Promise((resolve) => setTimeout(resolve, DISCOVERY_POLL_MS))
    }
  } finally {
    await discovery.stop()
  }
  const seen = refusals.length > 0 ? ` (tried ${refusals.join("; ")})` : ""
  throw new LanvaultError("TIMEOUT", `found no device of this account with an open pairing window on this network within ${DISCOVERY_TIMEOUT_MS / 1000} s${seen}: run \`lanvault pair\` on one, or give --peer HOST:PORT`)
}

async function joinThrough(args: JoinWith & { peer: string }): Promise<JoinResult> {
  ensureHome(args.home)
  const paths = homePaths(args.home)
  const lock = args.lockHome(paths.lock)
  const keys = generateDeviceKeys()
  try {
    const deviceId = toHex(randomBytes(16))
    const deviceName = args.name?.trim() || hostname()
    const { host, port } = parsePeerAddress(args.peer)
    const socket = await dialWs(host, port, { path: PAIR_PATH })
    const nonce = randomBytes(PAIRING_NONCE_BYTES)
    const result = await runHandshake(socket, {
      role: "initiator",
      mode: "pair",
      staticSecret: keys.dhSecret,
      accountKey: args.accountKey,
      payload: encodeJoinRequest({ deviceId, name: deviceName, signPublic: keys.signPublic, commit: pairingCommitment(nonce) }),
      accept: () => "accept",
    })
    const link = new PairingLink(result.channel)
    const hostStep = await expectStep(link, await link.next(NONCE_TIMEOUT_MS, "its nonce"), "nonce")
    link.send(encodeStep({ type: "reveal", nonce }))
    const code = pairingCode(result.handshakeHash, nonce, hostStep.nonce)
    args.onCode?.(code, hostStep.hostName)
    const welcome = await receiveWelcome(link)
    try {
      checkKdfBounds(parseKeyset(welcome.keyset).kdf)
      if (!welcome.trust.some((t) => t.deviceId === deviceId)) throw new LanvaultError("PROTOCOL_ERROR", "the other device did not add this one to its trust list")
    } catch (error) {
      // Nothing of it is stored; an open link would keep `lanvault join` from exiting.
      result.channel.close("protocol error")
      throw error
    }
    const former = await keepFormer(args.home, welcome, args.held)
    storeWelcome(args.home, welcome, { deviceId, signSecret: keys.signSecret, dhSecret: keys.dhSecret }, deviceName, args.peer, former)
    writeAccountKey(args.home, args.accountKey)
    link.send(new Uint8Array([1]))
    setTimeout(() => result.channel.close("normal closure"), 200).unref()
    return { accountId: welcome.accountId, deviceId, deviceName, hostName: welcome.host.name, code, ...(former ? { former } : {}) }
  } finally {
    wipe(keys.signSecret, keys.dhSecret)
    lock.release()
  }
}

/** The welcome once a person on the host confirmed the code; PEER_REFUSED ("pairing not confirmed") if they did not. */
async function receiveWelcome(link: PairingLink): Promise<Welcome> {
  const message = await link.next(WELCOME_TIMEOUT_MS, "the account (nobody confirmed the code there)")
  let declined: Extract<PairingStep, { type: "declined" }> | undefined
  try {
    declined = decodeStep(message, "declined")
  } catch {
    declined = undefined
  }
  if (declined !== undefined) {
    const why = declined.reason === "timeout" ? "nobody answered in time" : declined.reason === "locked" ? "its vault is locked" : "a person answered no"
    throw new LanvaultError("PEER_REFUSED", `the other device did not confirm the code (${why}): nothing was shared, this device joined nothing`, { data: { reason: "pairing not confirmed" } })
  }
  try {
    return decodeWelcome(message)
  } catch (error) {
    link.channel.close("protocol error")
    throw error
  }
}

function expectStep<T extends PairingStep["type"]>(link: PairingLink, message: Uint8Array, type: T): Extract<PairingStep, { type: T }> {
  try {
    return decodeStep(message, type)
  } catch (error) {
    // An older host sends the account before any code check: never taken.
    link.channel.close("older protocol version")
    throw error
  }
}

function storeWelcome(
  home: string, welcome: Welcome, identity: { deviceId: string; signSecret: Uint8Array; dhSecret: Uint8Array }, deviceName: string, peer: string, former: KeptVault | undefined,
): void {
  const paths = homePaths(home)
  const store = SqliteStore.open(paths.database)
  try {
    store.transaction(() => {
      store.wipeAccountData()
      store.clearSnapshots()
      store.setIdentity(identity)
      store.setMeta(META.accountId, welcome.accountId)
      store.setMeta(META.generation, String(welcome.generation))
      store.setMeta(META.deviceName, deviceName)
      store.setMeta(META.bucketCount, String(welcome.bucketCount))
      store.setMeta(META.createdAt, String(Date.now()))
      store.setMeta(META.knownPeers, JSON.stringify([peer]))
      store.deleteMeta(META.throttle)
      store.putKeyset(welcome.keysetVersion, welcome.keyset)
      if (welcome.trustPublicKey !== undefined) store.setMeta(META.trustPublicKey, welcome.trustPublicKey)
      for (const entry of welcome.trust) store.putTrust(entry)
      if (former?.pending) store.setMeta(META.formerPending, JSON.stringify([former.path]))
      else store.deleteMeta(META.formerPending)
    })
    new AsideKeysets(home).clear()
    store.checkpoint()
  } finally {
    store.close()
  }
}
