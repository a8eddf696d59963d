/**
 * daemon/ is the composition root: the only place that imports every layer,
 * builds them, starts them in order and stops them in reverse. It owns the vault's
 * lock state and the method table of the socket API.
 */
export { Daemon, type DaemonOptions } from "./daemon.js"
export { runDaemon } from "./run-daemon.js"
