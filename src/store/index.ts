/**
 * store/ owns what a device keeps on disk: the encrypted, signed per-device change
 * logs and their codec, snapshots, the trust list, the keyset and this device's
 * identity, behind the VaultStore port (SQLite, or in memory for tests). It uses
 * crypto/ and errors only, and never imports transport/ or discovery/.
 */
export * from "./log-entry.js"
export * from "./vault-store.js"
export * from "./keyset-rank.js"
export * from "./trust-proof.js"
export { SqliteStore } from "./sqlite-store.js"
export type { SqliteStoreOptions } from "./sqlite-connection.js"
export { MemoryStore } from "./memory-store.js"
