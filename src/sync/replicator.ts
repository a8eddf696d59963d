import { errorFields, type Logger } from "../log.js"
import type { LogEntry } from "../store/log-entry.js"
import { checkControlKind } from "./messages.js"
import type { PeerLink } from "./peer-link.js"
import type { SessionStore } from "./ports.js"
import { PeerSession, type KeysetExchange, type PeerSessionOptions } from "./peer-session.js"
import type { TrustChecks } from "./trust-merge.js"
import type { SnapshotPort } from "./snapshot-exchange.js"
import type { EntryApplier } from "./ports.js"
import { TypedEvents } from "../typed-events.js"

/** What a {@link Replicator} needs. */
export interface ReplicatorDeps {
  store: SessionStore
  logger: Logger
  /** The account every entry must be signed for. */
  accountId: Uint8Array
  /** This device's id (from the account context: the secret identity is not needed to know it). */
  deviceId: string
  keysets: KeysetExchange
  /** The account trust key's signatures on trust items. */
  trustChecks: TrustChecks
  /** Snapshot-first sync; without it snapshots are neither served nor taken. */
  snapshots?: SnapshotPort
  /** An unlock under way (the vault): large received batches wait for it before each slice of their check. */
  busyUntil?: () => Promise<unknown> | undefined
  /** Merges what peers sent, once stored (the vault); without it entries are only stored and relayed. */
  applier?: EntryApplier
}

/** Tuning of every session. */
export type ReplicatorOptions = PeerSessionOptions

/** One connected device, for `status`. */
export interface SessionInfo {
  remoteDeviceId: string
  address: string
  /** ms since the epoch. */
  connectedAt: number
  /** "syncing" until both sides finished their first catch-up. */
  state: "syncing" | "idle"
  entriesSent: number
  entriesReceived: number
}

/** Events of a {@link Replicator}. */
export interface ReplicatorEvents {
  /** Entries from device `from` were verified and stored: merge them when unlocked. */
  entries: { entries: LogEntry[]; from: string }
  /** A snapshot set from device `from` was verified and stored (covering `vector`): load it when unlocked. */
  snapshot: { vector: Record<string, number>; from: string }
  /** A keyset from a peer that ranks above ours was stored. */
  keyset: { version: number }
  /** The trust list changed (a device added, revoked or renamed by a peer). */
  trust: Record<string, never>
  /** Device `by` showed a signed revocation of this device ("you were removed"). */
  removed: { by: string }
  /** Progress of a first catch-up from `deviceId`. */
  progress: { deviceId: string; done: number; total: number }
  /** Progress of serving a peer what it lacked when it connected (a new device's first sync, one back after long). */
  served: { deviceId: string; done: number; total: number }
  /** A session with a device started. */
  "peer.connected": { deviceId: string; address: string }
  /** The session with a device ended (not emitted when a newer link replaced it). */
  "peer.disconnected": { deviceId: string; reason: string }
  /** An opaque notice from a device (revoke, re-key, reset). */
  control: { deviceId: string; kind: string; body: Uint8Array }
}

interface Connected {
  session: PeerSession
  connectedAt: number
}

/**
 * Keeps this device's store in sync with every connected trusted device: one
 * {@link PeerSession} per device, local entries pushed to all, entries from one
 * peer relayed to the others, keyset and trust changes spread. A round costs
 * O(devices + missing entries).
 */
export class Replicator {
  private readonly events: TypedEvents<ReplicatorEvents>
  private readonly connected = new Map<string, Connected>()
  private readonly now: () => number
  private stopped = false

  constructor(private readonly deps: ReplicatorDeps, private readonly options: ReplicatorOptions = {}) {
    this.now = options.now ?? Date.now
    this.events = new TypedEvents((event, error) => deps.logger.error("a sync event listener failed", { event, ...errorFields(error) }))
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ReplicatorEvents>(event: K, listener: (payload: ReplicatorEvents[K]) => void): () => void {
    return this.events.on(event, listener)
  }

  /**
   * Starts a session over a new link. A second link from the same device
   * replaces the older one. A link from a revoked device is closed at once
   * ("revoked"), as is any link after {@link stop} ("shutting down"). A device
   * not yet in the trust list is served: it may be joining, and learns the
   * list from our hello; its own entries are refused until it is trusted.
   */
  addLink(link: PeerLink): PeerSession {
    const { store, logger, accountId } = this.deps
    const deviceId = link.remoteDeviceId
    const session = new PeerSession({
      link, store, logger, accountId, selfDeviceId: this.deps.deviceId, keysets: this.deps.keysets, trustChecks: this.deps.trustChecks, snapshots: this.deps.snapshots,
      busyUntil: this.deps.busyUntil, onEntries: (entries) => this.received(deviceId, entries),
    }, this.options)
    if (this.stopped || store.getTrust(deviceId)?.revokedAt !== undefined) {
      session.close(this.stopped ? "shutting down" : "revoked")
      return session
    }
    const previous = this.connected.get(deviceId)
    this.connected.set(deviceId, { session, connectedAt: this.now() })
    previous?.session.close("normal closure")
    this.wire(session)
    logger.info("sync session started", { deviceId, address: link.address, replaced: previous !== undefined })
    this.events.emit("peer.connected", { deviceId, address: link.address })
    session.start()
    return session
  }

  /** Ends the session over `link` (or with that device). */
  removeLink(target: PeerLink | string, reason = "normal closure"): void {
    const deviceId = typeof target === "string" ? target : target.remoteDeviceId
    this.connected.get(deviceId)?.session.close(reason)
  }

  /** The daemon appended its own entries: push them to every peer. */
  publishLocal(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return
    for (const { session } of this.connected.values()) session.push(entries)
  }

  /** The keyset changed here (e.g. a new password): offer it to every peer. */
  publishKeyset(): void {
    for (const { session } of this.connected.values()) session.offerKeyset()
  }

  /** The trust list changed here (pairing, revoke, rename): send it to every peer. */
  publishTrust(): void {
    this.closeRevoked()
    for (const { session } of this.connected.values()) session.sendTrust()
  }

  /**
   * Sends an opaque notice to one device or `"all"`; says how many sessions it
   * went to. TypeError for a kind of 0 or more than 64 bytes.
   */
  sendControl(target: string, kind: string, body: Uint8Array): number {
    checkControlKind(kind)
    let count = 0
    for (const [deviceId, { session }] of this.connected) {
      if (target !== "all" && target !== deviceId) continue
      session.sendControl(kind, body)
      count++
    }
    return count
  }

  /** Every connected device, for status. */
  sessions(): SessionInfo[] {
    return [...this.connected.values()].map(({ session, connectedAt }) => ({
      remoteDeviceId: session.remoteDeviceId,
      address: session.address,
      connectedAt,
      state: session.state === "idle" ? "idle" : "syncing",
      entriesSent: session.entriesSent,
      entriesReceived: session.entriesReceived,
    }))
  }

  /** Whether a session is still checking what it received (a large batch is verified a slice per turn of the event loop). */
  get receiving(): boolean {
    return [...this.connected.values()].some(({ session }) => session.receiving)
  }

  /** Closes every session ("shutting down"); later links are refused. Idempotent. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    for (const { session } of [...this.connected.values()]) session.close("shutting down")
    this.connected.clear()
  }

  private wire(session: PeerSession): void {
    const deviceId = session.remoteDeviceId
    session.on("snapshot", ({ vector }) => {
      try {
        this.deps.applier?.applySnapshot()
      } catch (error) {
        this.mergeFailed("snapshot", deviceId, error)
      }
      this.events.emit("snapshot", { vector, from: deviceId })
    })
    session.on("keyset", ({ version }) => {
      this.events.emit("keyset", { version })
      this.forOthers(deviceId, (other) => other.offerKeyset())
    })
    session.on("trust", ({ membershipChanged }) => {
      this.events.emit("trust", {})
      if (!membershipChanged) return
      this.closeRevoked()
      this.forOthers(deviceId, (other) => other.sendTrust())
    })
    session.on("removed", () => this.events.emit("removed", { by: deviceId }))
    session.on("progress", ({ done, total }) => this.events.emit("progress", { deviceId, done, total }))
    session.on("served", ({ done, total }) => this.events.emit("served", { deviceId, done, total }))
    session.on("control", ({ kind, body }) => this.events.emit("control", { deviceId, kind, body }))
    session.on("close", ({ reason }) => {
      if (this.connected.get(deviceId)?.session !== session) return
      this.connected.delete(deviceId)
      this.deps.logger.info("sync session ended", { deviceId, reason })
      this.events.emit("peer.disconnected", { deviceId, reason })
    })
  }

  /** A session stored entries from device `from`: merged into the vault, announced, relayed to the other peers. */
  private received(from: string, entries: LogEntry[]): void {
    try {
      this.deps.applier?.applyRemote(entries)
    } catch (error) {
      this.mergeFailed("entries", from, error)
    }
    this.events.emit("entries", { entries, from })
    this.forOthers(from, (other) => other.push(entries))
  }

  /** A merge that fails is logged, never thrown into the session: what came is stored and merges at the next unlock. */
  private mergeFailed(what: string, from: string, error: unknown): void {
    this.deps.logger.error("merging what a peer sent failed; it stays stored", { what, deviceId: from, ...errorFields(error) })
  }

  private forOthers(deviceId: string, fn: (session: PeerSession) => void): void {
    for (const [other, { session }] of this.connected) if (other !== deviceId) fn(session)
  }

  /** A device revoked (here or by a peer) is cut off at once, not only at its next handshake. */
  private closeRevoked(): void {
    for (const [deviceId, { session }] of [...this.connected]) {
      if (this.deps.store.getTrust(deviceId)?.revokedAt !== undefined) session.close("revoked")
    }
  }
}
