/**
 * The public library for desktop apps and scripts: the typed socket client, the
 * contract's types and the stable error codes. Nothing in src/ imports this file.
 */
export { connect, LanvaultClient, type ConnectOptions } from "./api/client.js"
export type * from "./api/protocol.js"
export type * from "./merge/types.js"
export { ERROR_CODES, LanvaultError, type ErrorCode } from "./errors.js"
export { resolveHome, socketPathFor } from "./account/home.js"
