/**
 * folder/ owns sync folders (DESIGN §9): this device's encrypted, signed log
 * written to `PATH/lanvault/<account tag>/<deviceId>.lvlog`, other devices' files
 * watched with chokidar and ingested through the VaultStore port, and the
 * FolderManager that keeps the list of folders. It uses store/, crypto/, account's
 * meta keys and errors only: it must not know transport/, discovery/, sync/ or daemon/.
 */
export * from "./folder-sync.js"
export * from "./lvlog-format.js"
export { OwnLogWriter, type OwnLogWriterDeps } from "./own-log-writer.js"
export { PeerLogIngester, type PeerLogIngesterDeps } from "./peer-log-ingester.js"
export { FolderManager, type FolderInfo } from "./folder-manager.js"
