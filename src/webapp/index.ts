/**
 * webapp/ owns `lanvault app`: a local web server on 127.0.0.1 (one-time token, session cookie,
 * Host/Origin checks, strict CSP) and the browser UI it serves (ui/, bundled by esbuild at build).
 * It is a client like any desktop app: it reaches the daemon only through the typed socket client
 * (api/client) and must not import the daemon, the store or any other part of the vault.
 */
export { AppServer, type AppServerOptions } from "./app-server.js"
export { openInBrowser } from "./open-browser.js"
