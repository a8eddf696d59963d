/**
 * What a client of the socket needs beside the client itself, re-exported so
 * the CLI (and apps) import only api/: the record model's types, the home and
 * socket-path helpers, the account-key text format, HOST:PORT parsing and the
 * words for a strength report.
 */
export { MAX_PAGE_RECORDS, RECORD_TYPES } from "../merge/types.js"
export type * from "../merge/types.js"
export { homePaths, resolveHome, socketPathFor } from "../account/home.js"
export { parseAccountKey, wipe } from "../crypto/index.js"
export { parseHostPort } from "../transport/host-port.js"
export { describeWeakness } from "../health/strength-report.js"
