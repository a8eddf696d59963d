import { copyFileSync, existsSync } from "node:fs"
import { hostname } from "node:os"
import { AsideKeysets, ensureHome, homePaths, META, writeAccountKey } from "../account/index.js"
import { generateDeviceKeys, randomBytes, toHex, wipe } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { SqliteStore } from "../store/index.js"
import { discoveryKeys, MdnsDiscovery } from "../discovery/index.js"
import { silentLogger, type Logger } from "../log.js"
import { dialWs, isLanAddress, runHandshake, type Channel } from "../transport/index.js"
import { decodeWelcome, encodeJoinRequest, type Welcome } from "./pairing-messages.js"
import { PAIR_PATH, parsePeerAddress } from "../connections/peer-address.js"

const WELCOME_TIMEOUT_MS = 15_000
const DISCOVERY_TIMEOUT_MS = 30_000
const DISCOVERY_POLL_MS = 250

export interface JoinResult {
  accountId: string
  deviceId: string
  deviceName: string
  hostName: string
  code: string
}

/**
 * `lanvault join`: pairs this home with a device whose pairing window is open,
 * proving the account key in a Noise XXpsk3 handshake, then stores the account
 * id, keyset and trust list it hands over. The daemon must not be running here.
 * An existing account in the home is kept as a copy (`vault.db.before-join-…`).
 */
export interface JoinArgs {
  home: string
  accountKey: Uint8Array
  peer?: string
  name?: string
  logger?: Logger
  /** Holds the home against a daemon while the join writes it (the daemon's instance lock). */
  lockHome: (lockPath: string) => { release(): void }
}

export async function joinAccount(args: JoinArgs): Promise<JoinResult> {
  if (args.peer) return joinThrough({ ...args, peer: args.peer })
  return joinByDiscovery(args)
}

/**
 * Finds devices of the account by mDNS (adverts whose `k=` tag matches the account
 * key) and pairs with the first whose pairing window is open.
 */
async function joinByDiscovery(args: JoinArgs): Promise<JoinResult> {
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

async function joinThrough(args: JoinArgs & { peer: string }): Promise<JoinResult> {
  ensureHome(args.home)
  const paths = homePaths(args.home)
  const lock = args.lockHome(paths.lock)
  const keys = generateDeviceKeys()
  try {
    const deviceId = toHex(randomBytes(16))
    const deviceName = args.name?.trim() || hostname()
    const { host, port } = parsePeerAddress(args.peer)
    const socket = await dialWs(host, port, { path: PAIR_PATH })
    const result = await runHandshake(socket, {
      role: "initiator",
      mode: "pair",
      staticSecret: keys.dhSecret,
      accountKey: args.accountKey,
      payload: encodeJoinRequest({ deviceId, name: deviceName, signPublic: keys.signPublic }),
      accept: () => "accept",
    })
    const welcome = await receiveWelcome(result.channel)
    if (!welcome.trust.some((t) => t.deviceId === deviceId)) throw new LanvaultError("PROTOCOL_ERROR", "the other device did not add this one to its trust list")
    storeWelcome(args.home, welcome, { deviceId, signSecret: keys.signSecret, dhSecret: keys.dhSecret }, deviceName, args.peer)
    writeAccountKey(args.home, args.accountKey)
    result.channel.send(new Uint8Array([1]))
    setTimeout(() => result.channel.close("normal closure"), 200).unref()
    return { accountId: welcome.accountId, deviceId, deviceName, hostName: welcome.host.name, code: result.confirmationCode ?? "" }
  } finally {
    wipe(keys.signSecret, keys.dhSecret)
    lock.release()
  }
}

function receiveWelcome(channel: Channel): Promise<Welcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close("normal closure")
      reject(new LanvaultError("TIMEOUT", "the other device did not send the account within 15 s"))
    }, WELCOME_TIMEOUT_MS)
    channel.onMessage((message) => {
      clearTimeout(timer)
      try {
        resolve(decodeWelcome(message))
      } catch (error) {
        channel.close("protocol error")
        reject(error)
      }
    })
    channel.onClose((info) => {
      clearTimeout(timer)
      reject(new LanvaultError("PEER_REFUSED", `the other device closed the link: ${info.reason ?? info.code}`, { data: { reason: info.reason } }))
    })
  })
}

function storeWelcome(home: string, welcome: Welcome, identity: { deviceId: string; signSecret: Uint8Array; dhSecret: Uint8Array }, deviceName: string, peer: string): void {
  const paths = homePaths(home)
  if (existsSync(paths.database)) copyFileSync(paths.database, `${paths.database}.before-join-${Date.now()}`)
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
    })
    new AsideKeysets(home).clear()
    store.checkpoint()
  } finally {
    store.close()
  }
}
