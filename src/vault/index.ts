/**
 * vault/ owns the unlocked vault session: lock and unlock, auto-lock, the group
 * commit of edits (handed, once durable, to the sinks wired in at start), the
 * merge of peers' entries, the snapshot policy, the key manager and the change
 * payloads written to the log. It uses merge/, store/, account/ and crypto/; it
 * must not know the network, pairing, the socket or the CLI (sinks are a port).
 */
export { VaultService, type VaultServiceDeps, type VaultServiceOptions } from "./vault-service.js"
export type { LocalEntrySink, VaultChanges } from "./vault-changes.js"
export { KeyManager, type KeyEvents, type KeyManagerDeps } from "./key-manager.js"
export type { UnlockedVault, Identity } from "./unlocked-vault.js"
export { encodePayload, decodePayload } from "./change-payload.js"
export { IdleLock, checkAutoLockMinutes, DEFAULT_AUTO_LOCK_MINUTES, MAX_AUTO_LOCK_MINUTES } from "./idle-lock.js"
export type { FormerRecord } from "./former-records.js"
export { releaseHeapSoon } from "./heap-release.js"
export { fixMallocTrimThreshold } from "./malloc-trim.js"
