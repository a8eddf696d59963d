/**
 * browser/ owns the KeePassXC-Browser bridge: the keepassxc-protocol (pure,
 * protocol-handler.ts), its socket, the approval window, the associations (kept
 * as encrypted vault records), native-messaging manifests and the stdio relay.
 * It knows the vault only through the narrow RecordAccess port; it must not
 * know sync, transport, the store or the socket API.
 */
export { BrowserService, type BrowserStatus } from "./browser-service.js"
export type { AssociationInfo } from "./association-book.js"
export { ASSOCIATION_TYPE } from "./association-book.js"
export { browserSocketPaths } from "./socket-paths.js"
