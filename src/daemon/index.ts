/**
 * daemon/ is the composition root: it builds every part, wires them at start (the vault's sinks,
 * the replicator's applier: ports they then call directly; events to the socket), starts them in
 * order and stops them in reverse. handlers.ts maps each socket method to one call. It holds no
 * domain rule. Entry points: `runDaemon` (`lanvault daemon`) and `runJoin` (`lanvault join`).
 */
export { Daemon, type DaemonOptions } from "./daemon.js"
export { runDaemon } from "./run-daemon.js"
export { runJoin } from "./run-join.js"
