/**
 * account/ owns the account's life: init, unlock (two-secret derivation and its
 * throttle), password change, reset, and the files of a home. It uses crypto/ and
 * store/ (through the ports of ports.ts); it knows nothing of sockets, the network
 * or the CLI.
 */
export * from "./account.js"
export * from "./account-files.js"
export * from "./aside-keysets.js"
export * from "./device-standing.js"
export * from "./home.js"
export * from "./keyset.js"
export * from "./snapshot-signer.js"
export * from "./password-hint.js"
export * from "./quick-unlock.js"
export * from "./unlock-throttle.js"
export * from "./account-context.js"
export type { AccountStore, IdentityKeeper, KeysetShelf, MetaTable, SnapshotSource, TrustLookup } from "./ports.js"
