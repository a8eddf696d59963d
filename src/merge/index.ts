/**
 * merge/ owns the record model (DESIGN §5): records in bucketed Automerge
 * documents, field history and conflict losers, trash, and the change bytes each
 * edit produces. It knows nothing of storage, keys or the network (crypto/ gives
 * it only SHA-256 and byte helpers): callers encrypt, log and carry its changes.
 */
export * from "./bucket.js"
export * from "./change-actor.js"
export * from "./types.js"
export * from "./unreadable-changes-error.js"
export * from "./vault-doc.js"
