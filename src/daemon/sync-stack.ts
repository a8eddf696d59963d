import { markStanding, META, readAccountKey, readStanding, type StandingState } from "../account/index.js"
import { utf8 } from "../crypto/index.js"
import type { EventParams, StatusResult } from "../api/protocol.js"
import type { Logger } from "../log.js"
import type { VaultStore } from "../store/index.js"
import { Replicator } from "../sync/index.js"
import { DiscoveryLink } from "../connections/discovery-link.js"
import { FolderManager } from "../folder/folder-manager.js"
import { PairingHost } from "../pairing/pairing-host.js"
import { PeerNetwork, type PeerNetworkOptions } from "../connections/peer-network.js"
import type { VaultService } from "../vault/vault-service.js"

const PEERS_NOTICE = "peers"
const MAX_SHARED_PEERS = 64

export interface SyncStackDeps {
  store: VaultStore
  home: string
  logger: Logger
  vault: VaultService
  publish: (event: EventParams) => void
}

/**
 * Everything that talks to other devices, built for one device identity: the
 * replicator, the pairing window and the peer network, wired to the vault.
 * Rebuilt after a reset (the identity changes).
 */
export class SyncStack {
  readonly replicator: Replicator
  readonly pairing: PairingHost
  readonly network: PeerNetwork
  readonly folders: FolderManager
  private readonly discovery: DiscoveryLink | undefined
  /** The standing last announced, so a change is told once. */
  private announced: StandingState | undefined

  constructor(private readonly deps: SyncStackDeps, options: PeerNetworkOptions & { mdns?: boolean }) {
    const { store, logger, vault, publish } = deps
    const keysets = {
      accountKey: () => readAccountKey(deps.home),
      accept: (version: number, blob: Uint8Array, accountKey: Uint8Array) => vault.keys.acceptKeyset(version, blob, accountKey),
    }
    this.replicator = new Replicator({ store, logger, keysets, accountId: new Uint8Array(Buffer.from(store.getMeta(META.accountId)!, "hex")) })
    this.pairing = new PairingHost({ store, home: deps.home, logger, replicator: this.replicator, publish })
    const onStanding = (state: StandingState, by?: string) => this.noteStanding(state, by)
    this.network = new PeerNetwork({ store, logger, replicator: this.replicator, pairing: this.pairing, onStanding }, options)
    this.folders = new FolderManager({
      store, logger,
      onEntries: (entries) => {
        vault.applyRemote(entries)
        this.replicator.publishLocal(entries)
      },
    })
    if (options.mdns !== false) {
      this.discovery = new DiscoveryLink({ store, home: deps.home, logger, network: this.network }, { extraCidrs: options.extraCidrs })
    }
    this.wire(vault, publish)
    vault.keys.hooks = { keysetChanged: () => this.replicator.publishKeyset(), accountKeyChanged: () => this.accountKeyChanged() }
  }

  async start(): Promise<void> {
    await this.network.start()
    await this.discovery?.start()
    await this.folders.start()
  }

  async stop(): Promise<void> {
    this.pairing.close()
    await this.folders.stop()
    await this.discovery?.stop()
    await this.network.stop()
    this.replicator.stop()
  }

  /** A trusted device showed this one is out of the account: say so once, in the log and to subscribers. */
  private noteStanding(state: StandingState, by?: string): void {
    if (!markStanding(this.deps.store, state, by)) return
    this.announceStanding()
  }

  private announceStanding(): void {
    const standing = readStanding(this.deps.store)
    if (standing === undefined || this.announced === standing.state) return
    this.announced = standing.state
    this.deps.logger.error("this device is out of its account", { state: standing.state, next: standing.next })
    this.deps.publish({ type: "device.standing", ...standing })
  }

  /** The account key changed here: advertise the new discovery tag. */
  accountKeyChanged(): void {
    this.discovery?.refreshKeys()
  }

  /**
   * Tells a device (or all) the addresses added by hand with `lanvault peer add`
   * (DESIGN §7: for networks that block multicast, an address given once reaches
   * every device).
   */
  sharePeers(target = "all"): void {
    const reached = this.network.shareableAddresses()
    if (reached.length > 0) this.replicator.sendControl(target, PEERS_NOTICE, utf8(JSON.stringify(reached.slice(0, MAX_SHARED_PEERS))))
  }

  private learnPeers(body: Uint8Array): void {
    const selfId = this.deps.store.getIdentity()?.deviceId
    try {
      const list = JSON.parse(new TextDecoder().decode(body)) as Array<{ address?: unknown; deviceId?: unknown }>
      if (!Array.isArray(list)) return
      const addresses = list
        .filter((p) => typeof p?.address === "string" && p.deviceId !== selfId && this.deps.store.getTrust(String(p.deviceId))?.revokedAt === undefined)
        .map((p) => p.address as string)
        .slice(0, MAX_SHARED_PEERS)
      this.network.learnPeers(addresses)
    } catch {
      this.deps.logger.debug("ignored a malformed peers notice")
    }
  }

  peers(): StatusResult["peers"] {
    const names = new Map(this.deps.store.trustList().map((t) => [t.deviceId, t.name]))
    const sessions = this.replicator.sessions()
    const dialled = new Map(this.network.status().filter((d) => d.deviceId).map((d) => [d.deviceId!, d]))
    const linked = sessions.map((s) => ({
      deviceId: s.remoteDeviceId, name: names.get(s.remoteDeviceId), address: dialled.get(s.remoteDeviceId)?.address ?? s.address,
      how: dialled.get(s.remoteDeviceId)?.how ?? ("incoming" as const), state: s.state,
    }))
    const dialers = this.network.status()
      .filter((d) => !sessions.some((s) => s.remoteDeviceId === d.deviceId))
      .map((d) => ({ deviceId: d.deviceId, name: d.deviceId ? names.get(d.deviceId) : undefined, address: d.address, how: d.how, state: d.lastError ? `${d.state}: ${d.lastError}` : d.state }))
    return [...linked, ...dialers]
  }

  private wire(vault: VaultService, publish: (event: EventParams) => void): void {
    const { replicator } = this
    replicator.on("entries", ({ entries }) => vault.applyRemote(entries))
    replicator.on("trust", () => {
      this.folders.refresh()
      this.announceStanding()
    })
    // The replicator offers a stored peer keyset to the others itself; a merge here offers its own (keys.hooks).
    replicator.on("keyset", () => vault.refreshKeys())
    replicator.on("progress", ({ deviceId, done, total }) => publish({ type: "sync.progress", deviceId, done, total, phase: "sync" }))
    replicator.on("peer.connected", ({ deviceId, address }) => {
      this.sharePeers(deviceId)
      publish({ type: "peer.connected", deviceId, address, name: this.deps.store.getTrust(deviceId)?.name })
    })
    replicator.on("peer.disconnected", ({ deviceId, reason }) => publish({ type: "peer.disconnected", deviceId, reason }))
    replicator.on("control", ({ kind, body }) => {
      if (kind === PEERS_NOTICE) this.learnPeers(body)
    })
  }
}
