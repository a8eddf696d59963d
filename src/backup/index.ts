/**
 * backup/ owns encrypted backups: the `.lvbackup` format (wrapped keyset, public
 * trust list, encrypted signed entries), automatic and manual creation, pruning,
 * listing and restore (merge or replace) through the ports of ports.ts. It uses
 * store/, account/ and crypto/; it must not know transport/, discovery/, sync/ or daemon/.
 */
export * from "./backup-format.js"
export * from "./backup-restore.js"
export * from "./backup-service.js"
export * from "./former-vault.js"
export type { BackupSource, BackupStore, RestoreTarget } from "./ports.js"
