import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { compareKeysetRanks, keysetRank, NO_KEYSET, type KeysetRank } from "../store/keyset-rank.js"
import type { LogEntry } from "../store/log-entry.js"
import type { VersionVector } from "../store/vault-store.js"
import { EntryIntake } from "./entry-intake.js"
import { InboundQueue } from "./inbound-queue.js"
import { ProtocolVersionError } from "./protocol-version-error.js"
import { checkControlKind, decodeMessage, encodeMessage, type EntriesMessage, type HelloMessage, type SnapshotMessage, type SyncMessage, type TrustInfo } from "./messages.js"
import { OutboundStream } from "./outbound-stream.js"
import { SnapshotExchange } from "./snapshot-exchange.js"
import { takeTrust } from "./trust-intake.js"
import { toTrustInfo } from "./trust-merge.js"
import { TypedEvents } from "../typed-events.js"
import type { PeerSessionDeps, PeerSessionEvents, PeerSessionOptions, SessionState } from "./peer-session-types.js"

export type { KeysetExchange, PeerSessionDeps, PeerSessionEvents, PeerSessionOptions, SessionState } from "./peer-session-types.js"

/** Least time between two `touchTrust` writes for one peer. */
const TOUCH_INTERVAL_MS = 30_000

/** Error codes that mean the peer sent something we must refuse. */
const PEER_FAULTS = new Set<string>(["PROTOCOL_ERROR", "BAD_SIGNATURE", "SEQUENCE_GAP", "CORRUPT_DATA"])

/**
 * Replicates the change logs with one trusted device over one link: sends
 * `hello`, streams what the peer lacks in acknowledged batches (bounded memory
 * for any log length), then pushes new entries live. Received entries are
 * verified against the trust list and stored atomically per batch; anything
 * malformed or foreign closes the link with "protocol error", is logged, and
 * is never thrown.
 */
export class PeerSession {
  readonly remoteDeviceId: string
  readonly address: string
  private readonly events: TypedEvents<PeerSessionEvents>
  private readonly outbound: OutboundStream
  private readonly snapshots: SnapshotExchange
  /** What the peer said it holds in its hello. */
  private peerHello: VersionVector = {}
  private readonly now: () => number
  private current: SessionState = "syncing"
  private started = false
  private peerKeyset: KeysetRank = NO_KEYSET
  /** Our keyset last sent regardless of rank (sendOwnKeysetOnce). */
  private forcedKeyset: string | undefined
  private readonly intake: EntryIntake
  private readonly inbound: InboundQueue
  private lastTouchAt = Number.NEGATIVE_INFINITY

  constructor(private readonly deps: PeerSessionDeps, options: PeerSessionOptions = {}) {
    this.remoteDeviceId = deps.link.remoteDeviceId
    this.address = deps.link.address
    this.outbound = new OutboundStream(
      { store: deps.store, send: (message) => this.send(message), onCaughtUp: () => this.updateState(), progress: (done, total) => this.events.emit("served", { done, total }) },
      options,
    )
    this.snapshots = new SnapshotExchange({
      store: deps.store, logger: deps.logger, accountId: deps.accountId, remoteDeviceId: this.remoteDeviceId, port: deps.snapshots,
      send: (message) => this.send(message),
    }, options.snapshotMinEntries, options.snapshotMinBytes)
    this.intake = new EntryIntake({
      accountId: deps.accountId, lookup: (deviceId) => deps.store.getTrust(deviceId), busyUntil: deps.busyUntil,
      progress: (done, total) => this.events.emit("progress", { done, total }), caughtUp: () => this.updateState(),
    }, options.verifySliceEntries)
    this.inbound = new InboundQueue({ handle: (bytes) => this.dispatch(decodeMessage(bytes)), fail: (error) => this.fail(error), stopped: () => this.current === "closed" })
    this.now = options.now ?? Date.now
    this.events = new TypedEvents((event, error) =>
      deps.logger.error("a sync event listener failed", { event, deviceId: this.remoteDeviceId, ...errorFields(error) }))
  }

  get state(): SessionState {
    return this.current
  }

  /** Entries sent to / received from this peer so far. */
  get entriesSent(): number {
    return this.outbound.entriesSent
  }

  get entriesReceived(): number {
    return this.intake.entriesReceived
  }

  /** Whether received messages are still being checked (a large batch is verified a slice per turn). */
  get receiving(): boolean {
    return this.inbound.pending
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof PeerSessionEvents>(event: K, listener: (payload: PeerSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener)
  }

  /** Listens to the link and sends `hello`. Idempotent. */
  start(): void {
    if (this.started || this.current === "closed") return
    this.started = true
    const { link, store } = this.deps
    // Hello before listening: a link may hand over a waiting message as soon as
    // we listen, and our reply to it must not overtake our hello.
    this.send({ type: "hello", vector: store.versionVector(), floor: store.floorVector(), keyset: keysetRank(store.getKeyset()), trust: this.trustInfo() })
    if (this.state === "closed") return
    link.onMessage((bytes) => this.receive(bytes))
    link.onClose((reason) => this.finish(reason))
  }

  /** Closes the link with `reason`; idempotent. */
  close(reason = "normal closure"): void {
    if (this.current === "closed") return
    this.finish(reason)
    try {
      this.deps.link.close(reason)
    } catch (error) {
      this.deps.logger.debug("closing a sync link failed", { deviceId: this.remoteDeviceId, ...errorFields(error) })
    }
  }

  /** New entries are in the store (own or relayed): send the peer what it lacks of them. */
  push(entries: readonly LogEntry[]): void {
    if (this.current !== "closed") this.outbound.push(entries)
  }

  /** Sends our keyset if it ranks above the peer's (keysetBeats) and the peer is a trusted device. */
  offerKeyset(): void {
    if (!this.outbound.started || this.current === "closed" || !this.peerTrusted()) return
    const keyset = this.deps.store.getKeyset()
    if (keyset === undefined) return
    const rank = keysetRank(keyset)
    if (compareKeysetRanks(rank, this.peerKeyset) <= 0) return
    this.peerKeyset = rank
    this.send({ type: "keyset", version: keyset.version, accountKey: this.deps.keysets.accountKey(), blob: keyset.blob })
  }

  /** Sends our trust list (after it changed). */
  sendTrust(): void {
    if (!this.started || this.current === "closed") return
    this.send({ type: "trust", devices: this.trustInfo() })
  }

  /** Sends an opaque notice; TypeError for a kind of 0 or more than 64 bytes. */
  sendControl(kind: string, body: Uint8Array): void {
    checkControlKind(kind)
    if (!this.started || this.current === "closed") return
    this.send({ type: "control", kind, body })
  }

  /** Handles a message at once, unless one checked across turns is under way: then it waits its turn (InboundQueue). */
  private receive(bytes: Uint8Array): void {
    if (this.current === "closed") return
    if (this.inbound.pending) return this.inbound.push(bytes)
    try {
      const done = this.dispatch(decodeMessage(bytes))
      if (done !== undefined) this.inbound.hold(done)
    } catch (error) {
      this.fail(error)
    }
  }

  private dispatch(message: SyncMessage): void | Promise<void> {
    if (message.type !== "hello" && !this.outbound.started) {
      throw new LanvaultError("PROTOCOL_ERROR", `sync message "${message.type}" came before hello`)
    }
    switch (message.type) {
      case "hello":
        return this.onHello(message)
      case "entries":
        return this.onEntries(message)
      case "ack":
        return this.outbound.ack(message.count)
      case "keyset":
        return this.onKeyset(message.version, message.blob, message.accountKey)
      case "trust":
        return this.mergeTrust(message.devices)
      case "control":
        return this.events.emit("control", { kind: message.kind, body: message.body })
      case "snapshot":
        return this.onSnapshot(message)
    }
  }

  private onHello({ vector, floor, keyset, trust }: HelloMessage): void {
    if (this.outbound.started) throw new LanvaultError("PROTOCOL_ERROR", "a second hello")
    this.peerKeyset = keyset
    this.peerHello = vector
    // Trust first: a new device learns the keys that verify the entries to come.
    this.mergeTrust(trust)
    this.touch()
    // A far-behind peer starts from our snapshot; the entries after it follow, then those under it.
    const covered = this.snapshots.offer(vector, floor ?? {})
    this.outbound.begin(vector, covered)
    this.offerKeyset()
  }

  private onSnapshot(message: SnapshotMessage): void {
    const vector = this.snapshots.receive(message, this.peerHello)
    if (vector !== undefined) this.events.emit("snapshot", { vector })
  }

  private onEntries(message: EntriesMessage): void | Promise<void> {
    const accepted = this.intake.check(message)
    if (Array.isArray(accepted)) return this.storeEntries(message, accepted)
    return accepted.then((checked) => this.current === "closed" ? undefined : this.storeEntries(message, checked))
  }

  private storeEntries(message: EntriesMessage, accepted: LogEntry[]): void {
    const { entries } = message
    if (accepted.length < entries.length) {
      this.deps.logger.warn("refused entries of a revoked device made after its revocation", { deviceId: this.remoteDeviceId, count: entries.length - accepted.length })
    }
    const { inserted } = this.deps.store.insertEntries(accepted, { waitForDisk: false }) // copies: their author holds them durably (EntryLog)
    this.outbound.noteHeld(entries)
    this.touch()
    this.send({ type: "ack", count: entries.length })
    this.intake.stored(message)
    if (inserted.length > 0) this.deps.onEntries(inserted)
  }

  private onKeyset(version: number, blob: Uint8Array, accountKey: Uint8Array): void {
    if (!this.peerTrusted()) throw new LanvaultError("PROTOCOL_ERROR", "a keyset from a device that is not in the trust list")
    const rank = keysetRank({ version, blob })
    if (compareKeysetRanks(rank, this.peerKeyset) > 0) this.peerKeyset = rank
    if (this.deps.keysets.accept(version, blob, accountKey, this.remoteDeviceId)) {
      this.deps.logger.info("adopted a newer keyset from a peer", { deviceId: this.remoteDeviceId, version })
      this.events.emit("keyset", { version })
    }
    if (this.deps.keysets.lacksOurEpochs?.(blob) === true) this.sendOwnKeysetOnce()
    this.offerKeyset()
  }

  /** Sends our keyset whatever its rank, once per keyset (the peer's lacks one of our epochs: it merges). */
  private sendOwnKeysetOnce(): void {
    const keyset = this.deps.store.getKeyset()
    if (keyset === undefined || this.current === "closed" || !this.peerTrusted()) return
    const rank = keysetRank(keyset)
    const id = `${rank.version}:${Buffer.from(rank.digest).toString("hex")}`
    if (this.forcedKeyset === id) return
    this.forcedKeyset = id
    this.send({ type: "keyset", version: keyset.version, accountKey: this.deps.keysets.accountKey(), blob: keyset.blob })
  }

  private mergeTrust(devices: TrustInfo[]): void {
    const taken = takeTrust(this.deps, this.remoteDeviceId, devices)
    if (taken.selfRevoked) this.events.emit("removed", {})
    if (taken.changed) this.events.emit("trust", { membershipChanged: taken.membershipChanged })
  }

  private send(message: SyncMessage): boolean {
    try {
      this.deps.link.send(encodeMessage(message))
      return true
    } catch (error) {
      this.deps.logger.error("sending a sync message failed; closing the link", { deviceId: this.remoteDeviceId, type: message.type, ...errorFields(error) })
      this.close("internal error")
      return false
    }
  }

  private fail(error: unknown): void {
    const code = error instanceof LanvaultError ? error.code : undefined
    if (code !== undefined && PEER_FAULTS.has(code)) {
      this.deps.logger.warn("a peer sent data that was refused; closing the link", { deviceId: this.remoteDeviceId, address: this.address, code, ...errorFields(error) })
      this.close(error instanceof ProtocolVersionError && error.older ? "older protocol version" : "protocol error")
      return
    }
    this.deps.logger.error("a sync session failed; closing the link", { deviceId: this.remoteDeviceId, ...errorFields(error) })
    this.close("internal error")
  }

  private peerTrusted(): boolean {
    const entry = this.deps.store.getTrust(this.remoteDeviceId)
    return entry !== undefined && entry.revokedAt === undefined
  }

  private touch(): void {
    const now = this.now()
    if (now - this.lastTouchAt < TOUCH_INTERVAL_MS) return
    this.lastTouchAt = now
    this.deps.store.touchTrust(this.remoteDeviceId, now)
  }

  private trustInfo(): TrustInfo[] {
    return this.deps.store.trustList().map(toTrustInfo)
  }

  private updateState(): void {
    if (this.current !== "syncing" || !this.outbound.sentFinal || !this.intake.caughtUpFromPeer) return
    this.current = "idle"
    this.events.emit("state", { state: "idle" })
  }

  private finish(reason: string): void {
    if (this.current === "closed") return
    this.current = "closed"
    this.outbound.stop()
    this.events.emit("state", { state: "closed" })
    this.events.emit("close", { reason })
    this.events.clear()
  }
}
