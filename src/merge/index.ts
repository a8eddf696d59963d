/**
 * merge/ owns the record model (DESIGN §5): records in bucketed Automerge
 * documents, field history and conflict losers, trash, and the change bytes each
 * edit produces. It knows nothing of storage, crypto or the network: callers
 * encrypt, log and carry the changes it returns.
 */
export * from "./bucket.js"
export * from "./types.js"
export * from "./unreadable-changes-error.js"
export * from "./vault-doc.js"
