/**
 * discovery/ owns finding this person's devices on the LAN: the blinded TXT
 * record of DESIGN §7 (pure codec and matcher), the mDNS adapter over
 * bonjour-service (random instance and host names, re-queries, expiry) and its
 * stack port. It never imports transport/ or store/: the daemon injects the
 * LAN-only address policy and dials what it reports.
 */
export * from "./txt-record.js"
export * from "./mdns-response.js"
export * from "./peer-table.js"
export * from "./mdns-stack.js"
export * from "./bonjour-stack.js"
export * from "./interface-watcher.js"
export * from "./mdns-discovery.js"
