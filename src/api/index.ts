/**
 * The local API (DESIGN §10): JSON-RPC 2.0 lines over a private Unix socket — the
 * server (socket file, connections, subscriptions, error mapping) and the public
 * typed client. It knows the method table only as handlers given to it: never the
 * store, the merge internals or the daemon. local.ts is the CLI's door to what it runs in-process.
 */
export { ApiServer, type ApiServerDeps, type ApiServerOptions } from "./api-server.js"
export { connect, LanvaultClient, type CallOptions, type CloseListener, type ConnectOptions } from "./client.js"
export { LineReader, type LineChunk, type LineReaderOptions } from "./line-reader.js"
export { RpcDispatcher, type RpcDispatcherDeps } from "./rpc-dispatcher.js"
export * from "./rpc-codec.js"
export { decodeListResult, SUMMARY_COLUMNS, SummaryRows, type SummaryRowsResult } from "./summary-rows.js"
export { SILENT_API_LOGGER, type ApiHandlers, type ApiLogger, type CallContext, type MethodHandler } from "./types.js"
export { EVENT_NAMES, MAX_LINE_BYTES } from "./protocol.js"
export type * from "./protocol.js"
export * from "./public.js"
