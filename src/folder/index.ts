/**
 * folder/ owns sync folders (DESIGN §9): this device's encrypted, signed log written to
 * `PATH/lanvault/<account tag>/<deviceId>.lvlog`, other devices' files watched with chokidar and
 * ingested through the FolderStore it declares, and the FolderManager that keeps the list. It uses
 * store/, crypto/, the account context and errors only: never transport/, discovery/, sync/ or daemon/.
 */
export * from "./folder-sync.js"
export * from "./lvlog-format.js"
export { OwnLogWriter, type OwnLogWriterDeps } from "./own-log-writer.js"
export { PeerLogIngester, type PeerLogIngesterDeps } from "./peer-log-ingester.js"
export { FolderManager, type FolderInfo, type FolderManagerDeps } from "./folder-manager.js"
export type { FolderListShelf, FolderStore } from "./folder-store.js"
