/**
 * sync/ owns replication of the encrypted change logs between trusted devices: version vectors,
 * the message codec, one session per peer link, and the replicator that pushes, relays and spreads
 * keyset and trust changes. It sees entries only as signed ciphertext and reaches the network and
 * the store and the vault through ports it declares (PeerLink, EntryLog, TrustBook, EntryApplier):
 * never transport/, merge/, vault/ or ws.
 */
export * from "./version-vector.js"
export * from "./messages.js"
export type { PeerLink } from "./peer-link.js"
export type { EntryApplier, EntryLog, SessionStore, TrustBook } from "./ports.js"
export { mergeTrust, toTrustInfo, type TrustMergeOptions, type TrustMergeResult } from "./trust-merge.js"
export { BATCH_ENTRIES, MAX_BATCH_BYTES, WINDOW_BATCHES, type OutboundOptions } from "./outbound-stream.js"
export {
  PeerSession, type KeysetExchange, type PeerSessionDeps, type PeerSessionEvents, type PeerSessionOptions, type SessionState,
} from "./peer-session.js"
export { Replicator, type ReplicatorDeps, type ReplicatorEvents, type ReplicatorOptions, type SessionInfo } from "./replicator.js"
