import type { TrustChecks } from "./trust-merge.js"
import type { Logger } from "../log.js"
import type { LogEntry } from "../store/log-entry.js"
import type { OutboundOptions } from "./outbound-stream.js"
import type { PeerLink } from "./peer-link.js"
import type { SessionStore } from "./ports.js"
import type { VersionVector } from "../store/vault-store.js"
import type { SnapshotPort } from "./snapshot-exchange.js"

/** Where a session is: catching up, caught up both ways, or ended. */
export type SessionState = "syncing" | "idle" | "closed"

/** What a session needs. */
export interface PeerSessionDeps {
  link: PeerLink
  store: SessionStore
  logger: Logger
  /** The account every entry must be signed for. */
  accountId: Uint8Array
  /** This device, whose name a peer never changes; undefined if unknown. */
  selfDeviceId?: string
  keysets: KeysetExchange
  /** The account trust key's signatures on trust items (a peer's unsigned addition or revocation is ignored). */
  trustChecks: TrustChecks
  /** Snapshot-first sync (DESIGN §8); without it snapshots are neither served nor taken. */
  snapshots?: SnapshotPort
  /** Work a person waits for (an unlock under way): a large batch waits for it before each slice of its check. */
  busyUntil?: () => Promise<unknown> | undefined
  /** Entries from this peer were verified and stored (already-held ones left out): called directly, it must not throw. */
  onEntries: (entries: LogEntry[]) => void
}

/** How keysets cross a link: each goes with the account key that opens it. */
export interface KeysetExchange {
  /** This device's account key, sent with its keyset to trusted devices only. */
  accountKey(): Uint8Array
  /**
   * Takes a trusted peer's keyset and account key if the keyset ranks above
   * ours; says whether it did. The daemon's keeps what a replaced keyset alone
   * held (KeyManager.acceptKeyset).
   */
  accept(version: number, blob: Uint8Array, accountKey: Uint8Array, fromDeviceId: string): boolean
  /**
   * Whether a peer's keyset lacks a vault-key epoch ours holds (by the public
   * epoch lists): ours is then sent back even if it ranks lower, so the two
   * sides of a partition each get what the other made (issue 11 item 6).
   */
  lacksOurEpochs?(blob: Uint8Array): boolean
}

/** Tuning (batch size, byte budget, window); the defaults suit a LAN. */
export interface PeerSessionOptions extends OutboundOptions {
  /** Clock in ms since the epoch (tests). */
  now?: () => number
  /** Signatures of a received batch checked per turn of the event loop (VERIFY_SLICE_ENTRIES). */
  verifySliceEntries?: number
  /** A peer missing at least this many entries gets the snapshot first (SNAPSHOT_MIN_MISSING_ENTRIES). */
  snapshotMinEntries?: number
  /** ...or entries weighing at least this many bytes (SNAPSHOT_MIN_MISSING_BYTES). */
  snapshotMinBytes?: number
}

/** Events of a {@link PeerSession}. */
export interface PeerSessionEvents {
  /** A higher keyset version from this peer was stored. */
  keyset: { version: number }
  /** The trust list changed; `membershipChanged`: a device was added or revoked (relay it). */
  trust: { membershipChanged: boolean }
  /** The peer showed a signed revocation of this device: it was removed from the account (never stored in its own trust list). */
  removed: Record<string, never>
  /** A snapshot set from this peer was verified and stored; it covers `vector`. */
  snapshot: { vector: VersionVector }
  /** Progress of receiving this peer's first catch-up. */
  progress: { done: number; total: number }
  /** Progress of serving this peer what it lacked at its hello (OutboundDeps.progress). */
  served: { done: number; total: number }
  /** An opaque notice from the peer for the daemon. */
  control: { kind: string; body: Uint8Array }
  /** The state moved. */
  state: { state: SessionState }
  /** The session ended (either side); no event follows. */
  close: { reason: string }
}
