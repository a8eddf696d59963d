import { Backoff } from "../backoff.js"
import { toHex, randomBytes } from "../crypto/bytes.js"
import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { TypedEvents, type Listener } from "../typed-events.js"
import { BonjourStack } from "./bonjour-stack.js"
import { InterfaceWatcher, type InterfaceLister } from "./interface-watcher.js"
import { LANVAULT_SERVICE, readResponse } from "./mdns-response.js"
import type { MdnsAdvert, MdnsSource, MdnsStack, MdnsStackFactory } from "./mdns-stack.js"
import { PeerTable, type DiscoveredPeer, type PeerChange } from "./peer-table.js"
import { encodeAdvertTxt, matchAdvert, type DiscoveryKeys } from "./txt-record.js"

/** Steady-state time between PTR queries (bonjour-service's browser queries only once). */
export const DEFAULT_REQUERY_INTERVAL_MS = 10_000
/** The first re-queries after a start or a change come sooner, doubling up to the interval (RFC 6762 §5.2). */
const FIRST_REQUERY_DELAY_MS = 1_000
/** Each delay is scaled by a random factor in [1 - JITTER, 1 + JITTER], so devices do not query in step. */
const REQUERY_JITTER = 0.2
/** Peers kept at most; new instances beyond are ignored until some go away. */
export const DEFAULT_MAX_PEERS = 256
/** A peer that missed this many re-queries is gone. */
const STALE_AFTER_REQUERIES = 3.5
const INTERFACE_POLL_MS = 3_000
const EXPIRY_SWEEP_MS = 1_000
/** Own instance names remembered (ours from earlier republishes must not be taken for peers). */
const MAX_OWN_INSTANCES = 16
const INSTANCE_RANDOM_BYTES = 8
const HOST_RANDOM_BYTES = 6

/** Events of MdnsDiscovery. */
export interface MdnsDiscoveryEvents {
  /** A matching advert was found, or its addresses, port or match changed: dial `addresses` on `port`. */
  peer: DiscoveredPeer
  /** The advert `id` said goodbye, expired, or stopped answering. */
  peerGone: { id: string }
}

export interface MdnsDiscoveryDeps {
  readonly logger: Logger
  /** The mDNS stack; BonjourStack (bonjour-service) by default. */
  readonly stack?: MdnsStackFactory
  /** The interface list watched for changes; os.networkInterfaces by default. */
  readonly listInterfaces?: InterfaceLister
  readonly now?: () => number
}

export interface MdnsDiscoveryOptions {
  /** The port peers dial (the transport's listener), published in the SRV record. */
  readonly port: number
  /** Keys for the tags we publish and match; see {@link discoveryKeys}. */
  readonly keys: DiscoveryKeys
  /** Whether to publish an advert, or only browse (a joining device). */
  readonly advertise: boolean
  /** The LAN-only policy: advertised addresses outside it are neither published nor reported. */
  readonly isAllowedAddress: (ip: string) => boolean
  /** IPv4 address of the one interface to use; all interfaces when absent. */
  readonly interface?: string
  readonly requeryIntervalMs?: number
  readonly maxPeers?: number
  /** A peer not seen for this long is gone; default 3.5 re-query intervals. */
  readonly staleAfterMs?: number
  readonly interfacePollMs?: number
}

/**
 * Finds this person's other devices by mDNS/DNS-SD (DESIGN §7): publishes
 * `_lanvault._tcp` under a random instance name and a random host name, with
 * blinded tags in TXT; browses, re-queries on a schedule and on interface
 * changes, and reports only adverts whose tags match our keys.
 */
export class MdnsDiscovery {
  private readonly events: TypedEvents<MdnsDiscoveryEvents>
  private readonly logger: Logger
  private readonly now: () => number
  private readonly requeryIntervalMs: number
  private readonly ownInstances = new Set<string>()
  private readonly watcher: InterfaceWatcher
  private keys: DiscoveryKeys
  private table: PeerTable
  private stack: MdnsStack | undefined
  private lifecycle: Promise<void> = Promise.resolve()
  private queryTimer: NodeJS.Timeout | undefined
  private sweepTimer: NodeJS.Timeout | undefined
  private readonly queryBackoff: Backoff
  private published: string | undefined

  constructor(
    private readonly deps: MdnsDiscoveryDeps,
    private readonly options: MdnsDiscoveryOptions,
  ) {
    const lowest = options.advertise ? 1 : 0
    if (!Number.isInteger(options.port) || options.port < lowest || options.port > 65_535) throw new RangeError(`port must be ${lowest} to 65535, not ${options.port}`)
    this.logger = deps.logger.child({ part: "mdns" })
    this.events = new TypedEvents((event, error) => this.logger.error("a discovery listener failed", { event, ...errorFields(error) }))
    this.now = deps.now ?? Date.now
    this.requeryIntervalMs = options.requeryIntervalMs ?? DEFAULT_REQUERY_INTERVAL_MS
    this.queryBackoff = new Backoff({ firstMs: FIRST_REQUERY_DELAY_MS, maxMs: this.requeryIntervalMs, jitter: REQUERY_JITTER })
    this.keys = options.keys
    this.table = this.newTable()
    this.watcher = new InterfaceWatcher(
      { list: deps.listInterfaces },
      { pollMs: options.interfacePollMs ?? INTERFACE_POLL_MS, onChange: () => this.onInterfacesChanged() },
    )
  }

  /** Opens the mDNS socket, publishes (if advertising) and starts browsing. Idempotent. */
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof MdnsDiscoveryEvents>(event: K, listener: Listener<MdnsDiscoveryEvents[K]>): () => void {
    return this.events.on(event, listener)
  }

  start(): Promise<void> {
    return this.serial(() => this.doStart())
  }

  /** Says goodbye, stops browsing and closes the socket. Idempotent; emits no peerGone. */
  stop(): Promise<void> {
    return this.serial(() => this.doStop())
  }

  /** Whether the socket is open. */
  get running(): boolean {
    return this.stack !== undefined
  }

  /** The instance label of our current advert (random per start), if publishing. */
  get advertInstance(): string | undefined {
    return this.published
  }

  /** The matching peers known now. */
  peers(): DiscoveredPeer[] {
    return this.table.peers()
  }

  /**
   * Switches to new keys (the account key changed, a join finished): every peer
   * found with the old keys is gone, the advert is republished with new tags and
   * the network is asked again.
   */
  setKeys(keys: DiscoveryKeys): Promise<void> {
    return this.serial(async () => {
      this.keys = keys
      this.emitChanges(this.table.clear())
      this.table = this.newTable()
      if (this.stack === undefined) return
      await this.republish()
      this.restartQueries()
    })
  }

  private async doStart(): Promise<void> {
    if (this.stack !== undefined) return
    const factory = this.deps.stack ?? ((options) => new BonjourStack(options))
    const stack = factory({ interface: this.options.interface, logger: this.logger })
    stack.onResponse((packet, source) => this.onResponse(stack, packet, source))
    try {
      await stack.ready()
    } catch (cause) {
      await stack.destroy().catch(() => undefined)
      throw new LanvaultError("INTERNAL", `mDNS discovery could not open UDP port 5353 (${(cause as Error).message}); use --peer HOST:PORT or --no-mdns`, { cause })
    }
    this.stack = stack
    if (this.options.advertise) this.publish()
    this.watcher.start()
    this.sweepTimer = setInterval(() => this.emitChanges(this.table.expire(this.now())), EXPIRY_SWEEP_MS)
    this.sweepTimer.unref()
    this.restartQueries()
    this.logger.info("mDNS discovery started", { advertise: this.options.advertise, port: this.options.port })
  }

  private async doStop(): Promise<void> {
    const stack = this.stack
    if (stack === undefined) return
    this.stack = undefined
    this.published = undefined
    clearTimeout(this.queryTimer)
    clearInterval(this.sweepTimer)
    this.watcher.stop()
    this.table.clear()
    await stack.unpublish().catch((error) => this.logger.warn("the mDNS goodbye failed", errorFields(error)))
    await stack.destroy().catch((error) => this.logger.warn("the mDNS socket did not close cleanly", errorFields(error)))
    this.logger.info("mDNS discovery stopped")
  }

  private publish(): void {
    const advert: MdnsAdvert = {
      instance: toHex(randomBytes(INSTANCE_RANDOM_BYTES)),
      host: `lv-${toHex(randomBytes(HOST_RANDOM_BYTES))}.local`,
      port: this.options.port,
      txt: encodeAdvertTxt(this.keys),
      advertiseAddress: this.options.isAllowedAddress,
    }
    this.ownInstances.add(advert.instance)
    if (this.ownInstances.size > MAX_OWN_INSTANCES) this.ownInstances.delete(this.ownInstances.values().next().value!)
    this.stack?.publish(advert)
    this.published = advert.instance
    this.logger.debug("mDNS advert published", { instance: advert.instance })
  }

  /** A new advert (new names, nonce and addresses) replaces the old one, which says goodbye. */
  private async republish(): Promise<void> {
    if (!this.options.advertise || this.stack === undefined) return
    this.published = undefined
    await this.stack.unpublish()
    this.publish()
  }

  private onInterfacesChanged(): void {
    this.logger.info("network interfaces changed: publishing again and re-querying")
    void this.serial(async () => {
      if (this.stack === undefined) return
      await this.republish()
      this.restartQueries()
    }).catch((error) => this.logger.warn("could not publish again after an interface change", errorFields(error)))
  }

  /** Queries now, then after 1 s, 2 s, 4 s… up to the re-query interval, each jittered. */
  private restartQueries(): void {
    clearTimeout(this.queryTimer)
    this.queryBackoff.reset()
    this.queryNow()
  }

  private queryNow(): void {
    if (this.stack === undefined) return
    this.stack.query(LANVAULT_SERVICE)
    const delay = this.queryBackoff.nextDelayMs()
    this.queryBackoff.grow()
    this.queryTimer = setTimeout(() => this.queryNow(), delay)
    this.queryTimer.unref()
  }

  private onResponse(stack: MdnsStack, packet: unknown, source: MdnsSource): void {
    if (stack !== this.stack) return
    try {
      const reading = readResponse(packet)
      const own = (instance: string) => this.ownInstances.has(instance)
      const theirs = {
        sightings: reading.sightings.filter((s) => !own(s.instance)),
        goodbyes: reading.goodbyes.filter((id) => !own(id)),
        hostAddresses: reading.hostAddresses,
      }
      const overflowBefore = this.table.overflowCount
      this.emitChanges(this.table.observe(theirs, source?.address, this.now()))
      if (this.table.overflowCount > overflowBefore && overflowBefore === 0) {
        this.logger.warn("too many lanvault adverts on the network: ignoring new ones", { maxPeers: this.options.maxPeers ?? DEFAULT_MAX_PEERS })
      }
    } catch (error) {
      // A peer's packet must never throw through the socket handler.
      this.logger.warn("an mDNS response could not be handled", errorFields(error))
    }
  }

  private emitChanges(changes: readonly PeerChange[]): void {
    for (const change of changes) {
      try {
        if (change.kind === "found") this.events.emit("peer", change.peer)
        else this.events.emit("peerGone", { id: change.id })
      } catch (error) {
        this.logger.error("a discovery listener failed", errorFields(error))
      }
    }
  }

  private newTable(): PeerTable {
    const keys = this.keys
    return new PeerTable({
      maxPeers: this.options.maxPeers ?? DEFAULT_MAX_PEERS,
      staleAfterMs: this.options.staleAfterMs ?? this.requeryIntervalMs * STALE_AFTER_REQUERIES,
      match: (txt) => matchAdvert(txt, keys),
      isAllowedAddress: this.options.isAllowedAddress,
    })
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const run = this.lifecycle.catch(() => undefined).then(step)
    this.lifecycle = run
    return run
  }
}
