import { holdsEpochsOf, parseKeyset, readAccountKey, SnapshotSigner, type MetaTable, type SnapshotSource, type StandingState, type StandingStore } from "../account/index.js"
import type { EventParams, StatusResult } from "../api/protocol.js"
import { DiscoveryLink, PEERS_NOTICE, PeerNetwork, PeerSharing, peerOverview, type PeerNetworkDeps, type PeerNetworkOptions } from "../connections/index.js"
import { StandingNotice } from "../app/standing-notice.js"
import { FolderManager, type FolderStore } from "../folder/index.js"
import type { Logger } from "../log.js"
// pairing/ one part at a time: its index loads the joining side too (discovery, the former vault), which a daemon never runs.
import { PairingHost } from "../pairing/pairing-host.js"
import type { PairingStore } from "../pairing/ports.js"
import { TrustVerifier } from "../store/index.js"
import { Replicator, type SessionStore } from "../sync/index.js"
import type { VaultService } from "../vault/index.js"
import type { AccountContext } from "../account/index.js"

/** The ports of the parts this stack builds, together (the SQLite store implements each). */
export type SyncStackStore = SessionStore & SnapshotSource & PairingStore & StandingStore & PeerNetworkDeps["store"] & FolderStore & Pick<MetaTable, "getMeta" | "setMeta">

export interface SyncStackDeps {
  store: SyncStackStore
  home: string
  logger: Logger
  vault: VaultService
  account: AccountContext
  publish: (event: EventParams) => void
  /** Answers being written to socket clients (ApiServer.answersFlushed): a large received batch lets them go first. */
  answersFlushed?: () => Promise<unknown> | undefined
}

/**
 * The part of the composition root that talks to other devices, built for one
 * device identity and rebuilt after a reset (the identity changes): builds the
 * replicator, pairing host, peer network, folders and discovery link, wires
 * them to the vault (ports the vault and the replicator call directly) and
 * their events to the socket, starts and stops them in order.
 */
export class SyncStack {
  readonly replicator: Replicator
  readonly pairing: PairingHost
  readonly network: PeerNetwork
  readonly folders: FolderManager
  readonly sharing: PeerSharing
  private readonly discovery: DiscoveryLink | undefined
  private readonly standing: StandingNotice
  private readonly unwire: Array<() => void> = []

  constructor(private readonly deps: SyncStackDeps, options: PeerNetworkOptions & { mdns?: boolean }) {
    const { store, logger, vault, publish, home, account } = deps
    const keysets = {
      accountKey: () => readAccountKey(home),
      accept: (version: number, blob: Uint8Array, accountKey: Uint8Array, from: string) => vault.keys.acceptKeyset(version, blob, accountKey, from),
      lacksOurEpochs: (blob: Uint8Array) => {
        const own = store.getKeyset()
        return own !== undefined && !holdsEpochsOf(parseKeyset(blob), parseKeyset(own.blob))
      },
    }
    const trustChecks = new TrustVerifier(account.accountIdBytes, () => vault.keys.trustPublicKey())
    const snapshots = new SnapshotSigner(store)
    // Wired here once: at run time the replicator merges into the vault, and the vault pushes to the replicator, directly.
    this.replicator = new Replicator(
      { store, logger, keysets, accountId: account.accountIdBytes, trustChecks, snapshots, deviceId: account.deviceId, applier: vault.changes,
        // A person waits for these; checking a new device's backfill does not.
        busyUntil: () => vault.unlocks.pending ?? deps.answersFlushed?.() },
    )
    this.pairing = new PairingHost({
      store, account, home, logger, replicator: this.replicator, publish, trustKey: () => vault.trustKey(), unlocked: () => !vault.locked,
    })
    this.standing = new StandingNotice({ store, logger, publish })
    const onStanding = (state: StandingState, by?: string) => this.standing.note(state, by)
    this.network = new PeerNetwork({ store, account, logger, replicator: this.replicator, pairing: this.pairing, onStanding }, options)
    this.sharing = new PeerSharing({
      shareable: () => this.network.shareableAddresses(),
      learn: (addresses) => this.network.learnPeers(addresses),
      sendControl: (target, kind, body) => this.replicator.sendControl(target, kind, body),
      getTrust: (deviceId) => store.getTrust(deviceId),
      selfId: account.deviceId,
      logger,
    })
    this.folders = new FolderManager({ store, account, logger, applier: vault.changes, relay: this.replicator })
    if (options.mdns !== false) {
      this.discovery = new DiscoveryLink({ account, home, logger, network: this.network }, { extraCidrs: options.extraCidrs })
    }
    this.wire(vault, publish)
  }

  /** The account this stack was built for (read once; a reset builds a new stack). */
  get account(): AccountContext {
    return this.deps.account
  }

  async start(): Promise<void> {
    await this.network.start()
    await this.discovery?.start()
    await this.folders.start()
  }

  async stop(): Promise<void> {
    for (const off of this.unwire.splice(0)) off()
    this.pairing.close()
    await this.folders.stop()
    await this.discovery?.stop()
    await this.network.stop()
    this.replicator.stop()
  }

  /** `status`'s peers: linked devices, then addresses being dialled. */
  peers(): StatusResult["peers"] {
    const names = new Map(this.deps.store.trustList().map((t) => [t.deviceId, t.name]))
    return peerOverview(this.replicator.sessions(), this.network.status(), (deviceId) => names.get(deviceId))
  }

  private wire(vault: VaultService, publish: (event: EventParams) => void): void {
    const { replicator } = this
    replicator.on("trust", () => {
      this.folders.refresh()
      this.standing.announce()
    })
    replicator.on("removed", ({ by }) => this.standing.note("revoked", by))
    // The replicator offers a stored peer keyset to the others itself; a merge here offers its own (keysetChanged).
    replicator.on("keyset", () => vault.refreshKeys())
    replicator.on("progress", ({ deviceId, done, total }) => publish({ type: "sync.progress", deviceId, done, total, phase: "sync" }))
    replicator.on("served", ({ deviceId, done, total }) => publish({ type: "sync.progress", deviceId, done, total, phase: "serve" }))
    replicator.on("peer.connected", ({ deviceId, address }) => {
      this.sharing.share(deviceId)
      publish({ type: "peer.connected", deviceId, address, name: this.deps.store.getTrust(deviceId)?.name })
    })
    replicator.on("peer.disconnected", ({ deviceId, reason }) => publish({ type: "peer.disconnected", deviceId, reason }))
    replicator.on("control", ({ kind, body }) => {
      if (kind === PEERS_NOTICE) this.sharing.learn(body)
    })
    this.unwire.push(
      // This device's new entries go from the vault straight to the peers and the sync folders.
      vault.changes.addSink(replicator),
      vault.changes.addSink(this.folders),
      vault.keys.on("keysetChanged", () => replicator.publishKeyset()),
      // The account key changed here: advertise the new discovery tag.
      vault.keys.on("accountKeyChanged", () => this.discovery?.refreshKeys()),
    )
  }
}
