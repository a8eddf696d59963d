import { META, type AccountContext, type StandingState } from "../account/index.js"
import { equalBytes } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { LogThrottle } from "../log-throttle.js"
import type { Replicator } from "../sync/index.js"
import {
  closeCodeOf, DEFAULT_PORT, dialWs, runHandshake, WsListener, type AcceptDecision, type AcceptedConnection, type FrameSocket, type HandshakeResult,
} from "../transport/index.js"
import { ChannelLink } from "./channel-link.js"
import { accountTag, decodeHello, encodeHello, type HelloPayload } from "./handshake-payload.js"
import { PeerAddressBook } from "./peer-address-book.js"
import { PeerDialer, type DialerState } from "./peer-dialer.js"
import type { PeerNetworkStore } from "./ports.js"
import { OLD_TRUSTED_PATH, PAIR_PATH, parseLanPeerAddress, parsePeerAddress, TRUSTED_PATH, type PairingHandler } from "./peer-address.js"

/** Addresses remembered as a trusted device's (a handful of devices, each on a few addresses). */
const MAX_TRUSTED_ADDRESSES = 256

/** How an address became known: `--peer`, remembered or added by hand, shared by a device, or found by mDNS. */
export type PeerSource = "static" | "manual" | "known" | "shared" | "mdns"

export interface PeerNetworkDeps {
  store: PeerNetworkStore
  /** The account and this device, read once: what the handshake's hello claims. */
  account: AccountContext
  logger: Logger
  replicator: Replicator
  /** Takes connections on the pairing path (the PairingHost). */
  pairing: PairingHandler
  /** A trusted device showed that this one was revoked or that the account was reset elsewhere. */
  onStanding?: (state: StandingState, by?: string) => void
}

export interface PeerNetworkOptions {
  host?: string
  port?: number
  /** `--peer HOST:PORT` addresses to dial. */
  peers?: string[]
  extraCidrs?: string[]
}

export interface PeerStatus {
  address: string
  how: PeerSource
  state: DialerState
  deviceId?: string
  lastError?: string
}

/**
 * Links to this account's other devices: listens for trusted and pairing
 * handshakes, dials static and remembered peers with jittered backoff, decides
 * who is trusted (static key in the trust list, not revoked, same account and
 * generation), and hands each link to the replicator — one link per device.
 */
export class PeerNetwork {
  private listener: WsListener | undefined
  private readonly dialers = new Map<string, PeerDialer>()
  private readonly links = new Map<string, ChannelLink>()
  /** Refused connections are logged once per address and reason a minute (issue 11 item 13). */
  private readonly refusals: LogThrottle
  /** Addresses trusted devices linked from: kept room for when strangers fill the pending places. */
  private readonly trustedAddresses = new Set<string>()
  /** The device last linked at each dialled address: the first guess for Noise IK. */
  private readonly deviceAt = new Map<string, string>()
  private readonly book: PeerAddressBook
  /** Set when a peer showed that this device's account key is obsolete. */
  obsoleteReason: string | undefined

  constructor(private readonly deps: PeerNetworkDeps, private readonly options: PeerNetworkOptions = {}) {
    this.refusals = new LogThrottle(deps.logger)
    this.book = new PeerAddressBook(deps.store, options.extraCidrs)
  }

  get port(): number {
    return this.listener?.port ?? 0
  }

  async start(): Promise<void> {
    if (this.listener) return
    this.listener = new WsListener({
      host: this.options.host,
      port: this.options.port ?? DEFAULT_PORT,
      extraCidrs: this.options.extraCidrs,
      isPreferredAddress: (ip) => this.trustedAddresses.has(ip),
    })
    this.listener.on("connection", (connection) => void this.onConnection(connection))
    this.listener.on("refused", ({ remoteAddress, reason }) => this.refusals.warn(`${remoteAddress} ${reason}`, "connection refused", { address: remoteAddress, reason }))
    await this.listener.start()
    for (const address of this.options.peers ?? []) this.addDialer(address, "static")
    for (const address of this.book.lanList(META.manualPeers)) this.addDialer(address, "manual")
    for (const address of this.book.lanList(META.sharedPeers)) this.addDialer(address, "shared")
    for (const address of this.book.lanList(META.knownPeers)) this.addDialer(address, "known")
  }

  async stop(): Promise<void> {
    for (const dialer of this.dialers.values()) dialer.stop()
    this.dialers.clear()
    for (const link of this.links.values()) link.close("shutting down")
    this.links.clear()
    await this.listener?.stop()
    this.listener = undefined
  }

  status(): PeerStatus[] {
    return [...this.dialers.values()].map((d) => ({ address: d.address, how: d.how, state: d.state, deviceId: d.deviceId, lastError: d.lastError }))
  }

  /** Closes the link to a device (revoked). */
  disconnect(deviceId: string, reason: "revoked" | "normal closure"): void {
    this.links.get(deviceId)?.close(reason)
  }

  /** `lanvault peer add`: remembers an address, dials it from now on, and it is shared with the other devices. */
  addPeer(address: string): string {
    const { normal } = parseLanPeerAddress(address, this.options.extraCidrs)
    const manual = this.book.list(META.manualPeers)
    if (!manual.includes(normal)) this.deps.store.setMeta(META.manualPeers, JSON.stringify([...manual, normal]))
    this.dialers.get(normal)?.stop()
    this.dialers.delete(normal)
    this.addDialer(normal, "manual")
    return normal
  }

  /** `lanvault peer remove`: forgets an address and stops dialling it. */
  removePeer(address: string): boolean {
    const known = this.book.list(META.knownPeers)
    const manual = this.book.list(META.manualPeers)
    const dialer = this.dialers.get(address)
    if (!known.includes(address) && !manual.includes(address) && !dialer) return false
    this.deps.store.setMeta(META.knownPeers, JSON.stringify(known.filter((a) => a !== address)))
    this.deps.store.setMeta(META.manualPeers, JSON.stringify(manual.filter((a) => a !== address)))
    dialer?.stop()
    this.dialers.delete(address)
    return true
  }

  /** Addresses learnt from other devices or from discovery: dialled, and remembered once reached. */
  learnPeers(addresses: string[]): void {
    const shared = this.book.lanList(META.sharedPeers)
    for (const address of addresses) {
      try {
        const { normal } = parseLanPeerAddress(address, this.options.extraCidrs)
        if (!shared.includes(normal)) shared.push(normal)
        this.addDialer(normal, "shared")
      } catch {
        this.deps.logger.debug("ignored a malformed or non-LAN peer address")
      }
    }
    this.deps.store.setMeta(META.sharedPeers, JSON.stringify(shared.slice(-64)))
  }

  /** An address found by mDNS: dialled while its advert lasts. */
  learnDiscovered(address: string): void {
    this.addDialer(address, "mdns")
  }

  /** Stops dialling a discovered address whose advert went away (a link in use stays up). */
  forget(address: string): void {
    const dialer = this.dialers.get(address)
    if (!dialer || dialer.how !== "mdns") return
    dialer.stop()
    this.dialers.delete(address)
  }

  /** Addresses added by hand (`lanvault peer add`) or shared by another device: what this one shares in turn. */
  shareableAddresses(): Array<{ address: string; deviceId?: string }> {
    return [...this.dialers.values()]
      .filter((d) => d.how === "manual" || d.how === "shared")
      .map((d) => ({ address: d.address, deviceId: d.deviceId }))
  }

  /**
   * Dials a trusted device; resolves with its link once the handshake is done.
   * Noise IK needs the responder's static key up front: the device last met at
   * this address is tried first, then the others of the trust list, most
   * recently seen first (a wrong guess costs one round trip and reveals nothing).
   */
  async dial(address: string): Promise<ChannelLink> {
    const { host, port } = parsePeerAddress(address)
    for (const candidate of this.candidates(address)) {
      const socket = await dialWs(host, port, { path: TRUSTED_PATH, extraCidrs: this.options.extraCidrs })
      let result: HandshakeResult
      try {
        result = await this.handshake(socket, "initiator", candidate.dhPublic)
      } catch (error) {
        if (error instanceof LanvaultError && error.data?.notThisDevice === true) continue
        this.noteRefusal(error, candidate.deviceId)
        throw error
      }
      this.deviceAt.set(address, candidate.deviceId)
      const link = this.adopt(result, `${host}:${port}`, true)
      if (this.trustedAddresses.size < MAX_TRUSTED_ADDRESSES) this.trustedAddresses.add(socket.remoteAddress)
      this.book.remember(address)
      return link
    }
    throw new LanvaultError("PEER_REFUSED", `no device of this account answers at ${address}`, { data: { reason: "unknown device" } })
  }

  /** An authenticated refusal that says this device is out: remember it (issue 11 item 7). */
  private noteRefusal(error: unknown, by: string): void {
    if (!(error instanceof LanvaultError) || error.data?.authenticated !== true) return
    if (error.data.reason === "revoked") this.deps.onStanding?.("revoked", by)
    if (error.data.reason === "account was reset") this.deps.onStanding?.("account reset", by)
  }

  /** Trusted devices to try at an address, the one last met there first. */
  private candidates(address: string): Array<{ deviceId: string; dhPublic: Uint8Array }> {
    const selfId = this.deps.account.deviceId
    const last = this.deviceAt.get(address)
    return this.deps.store
      .trustList()
      .filter((t) => t.deviceId !== selfId && t.revokedAt === undefined)
      .sort((x, y) => Number(y.deviceId === last) - Number(x.deviceId === last) || (y.lastSeenAt ?? 0) - (x.lastSeenAt ?? 0))
  }

  private addDialer(address: string, how: PeerSource): void {
    if (this.dialers.has(address)) return
    const dialer = new PeerDialer({ logger: this.deps.logger, dial: (a) => this.dial(a), isLinked: (id) => this.links.has(id) }, { address, how })
    this.dialers.set(address, dialer)
    dialer.start()
  }

  private async onConnection(connection: AcceptedConnection): Promise<void> {
    if (connection.path === PAIR_PATH) return this.deps.pairing.handle(connection)
    if (connection.path === OLD_TRUSTED_PATH) return connection.socket.close(closeCodeOf("older protocol version"), "older protocol version")
    try {
      const result = await this.handshake(connection.socket, "responder")
      connection.trusted()
      if (this.trustedAddresses.size < MAX_TRUSTED_ADDRESSES) this.trustedAddresses.add(connection.remoteAddress)
      this.adopt(result, `${connection.remoteAddress}:${connection.remotePort}`, false)
    } catch (error) {
      const reason = String((error as { data?: { reason?: unknown } }).data?.reason ?? (error as { code?: unknown }).code)
      this.refusals.warn(`${connection.remoteAddress} ${reason}`, "incoming link refused", { address: connection.remoteAddress, ...errorFields(error) })
    }
  }

  private handshake(socket: FrameSocket, role: "initiator" | "responder", remoteStatic?: Uint8Array): Promise<HandshakeResult> {
    const identity = this.deps.store.getIdentity()
    if (!identity) throw new LanvaultError("NO_ACCOUNT", "this device has no identity")
    const payload = encodeHello(this.selfHello())
    return runHandshake(socket, { role, mode: "trusted", remoteStatic, staticSecret: identity.dhSecret, payload, accept: (key, hello) => this.decide(key, hello) })
  }

  private selfHello(): HelloPayload {
    const { account } = this.deps
    return { deviceId: account.deviceId, accountTag: accountTag(account.accountId), generation: account.generation }
  }

  /**
   * Who may link (DESIGN §6): a trusted, unrevoked static key of this account and
   * generation. Only a device whose static key we trust can tell us that our
   * account key is obsolete (a reset keeps the device's keys for that reason);
   * an unknown key claiming a newer generation is just an unknown device.
   */
  private decide(remoteStatic: Uint8Array, payload: Uint8Array): AcceptDecision {
    const { store, logger } = this.deps
    const remote = decodeHello(payload)
    const self = this.selfHello()
    if (!remote) return { refuse: "protocol error" }
    if (remote.accountTag !== self.accountTag) return { refuse: "unknown device" }
    const trusted = store.getTrust(remote.deviceId)
    const authentic = trusted !== undefined && remote.deviceId !== self.deviceId && equalBytes(trusted.dhPublic, remoteStatic)
    // Revocation first: a revoked device (reset by a thief) must hear "revoked", and never make us think ours was reset.
    if (authentic && trusted.revokedAt !== undefined) return { refuse: "revoked" }
    if (remote.generation < self.generation) return { refuse: "account was reset" }
    if (!authentic) return { refuse: "unknown device" }
    if (remote.generation > self.generation) {
      this.obsoleteReason = "the account was reset on another device; run `lanvault join` with the new account key"
      logger.error("this device's account key is obsolete", { reason: this.obsoleteReason, by: remote.deviceId })
      this.deps.onStanding?.("account reset", remote.deviceId)
      return { refuse: "account was reset" }
    }
    return "accept"
  }

  /**
   * Keeps one link per device: when both sides dialled, the link started by the
   * lower device id wins on both ends, so they agree without talking.
   */
  private adopt(result: HandshakeResult, address: string, weInitiated: boolean): ChannelLink {
    const remote = decodeHello(result.remotePayload)!
    const selfId = this.deps.account.deviceId
    const initiator = weInitiated ? selfId : remote.deviceId
    const link = new ChannelLink(result.channel, remote.deviceId, address, initiator)
    const existing = this.links.get(remote.deviceId)
    if (existing && !existing.isClosed && existing.initiatorDeviceId <= initiator) {
      link.close("normal closure")
      return existing
    }
    this.links.set(remote.deviceId, link)
    link.onClose(() => {
      if (this.links.get(remote.deviceId) === link) this.links.delete(remote.deviceId)
    })
    try { this.deps.store.touchTrust(remote.deviceId, Date.now()) } catch (error) { this.deps.logger.warn("last seen not stored (a full disk must not leave this link without a session)", { deviceId: remote.deviceId, ...errorFields(error) }) }
    this.deps.replicator.addLink(link)
    return link
  }
}
