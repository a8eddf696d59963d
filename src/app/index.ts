/**
 * app/ owns the use cases that span several parts: revoke (trust + re-key + links), restore,
 * password change, device list and rename, the audit, finding a record by a query and its TOTP
 * code. Each takes the narrow parts it needs; it must not know the socket, the CLI or how the
 * daemon builds and wires those parts.
 */
export { revokeDevice, type RevokeDeps } from "./revoke-device.js"
export type { DeviceBook } from "./ports.js"
export { listDevices, renameDevice, type DeviceView, type DeviceListDeps } from "./device-list.js"
export { restoreBackup, type RestoreDeps } from "./restore-backup.js"
export { changePassword, type ChangePasswordDeps } from "./change-password.js"
export { writeKit } from "./account-kit.js"
export { auditVault } from "./audit.js"
export { StandingNotice } from "./standing-notice.js"
export { QuickUnlockFlow, type RememberLimits } from "./quick-unlock-flow.js"
export { findOne, searchVault, type RecordReader } from "./record-lookup.js"
export { recordTotp, type TotpRequest } from "./record-totp.js"
export { setAutoLock, storedAutoLockMinutes } from "./auto-lock-setting.js"
export { recordHistory, type NamedHistoryEntry } from "./record-history.js"
export { FormerVaultMerger, type BroughtIn, type FormerVaultDeps } from "./former-vault-merger.js"
