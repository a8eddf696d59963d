import type { AddressInfo } from "node:net"
import { createAdaptorServer, type ServerType } from "@hono/node-server"
import { LanvaultError } from "../errors.js"
import { loadAssets, type Asset } from "./assets.js"
import { DaemonBridge } from "./daemon-bridge.js"
import { buildRoutes } from "./routes.js"
import { SessionGuard } from "./session-guard.js"

/** The only address the app listens on: a page elsewhere on the LAN must never reach it. */
const LOOPBACK_HOST = "127.0.0.1"

export interface AppServerOptions {
  /** The daemon's socket. */
  socketPath: string
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  /** The page's files (default: the bundle `npm run build` made). */
  assets?: Map<string, Asset>
}

/**
 * `lanvault app`'s server: binds 127.0.0.1 only, hands out the page to the holder of a
 * session, and relays the page's calls and the daemon's events through one socket client.
 */
export class AppServer {
  private readonly sessions = new SessionGuard()
  private readonly bridge: DaemonBridge
  private server: ServerType | undefined
  private port = 0

  constructor(private readonly options: AppServerOptions) {
    this.bridge = new DaemonBridge({ socketPath: options.socketPath })
  }

  /** Connects to the daemon (DAEMON_NOT_RUNNING when none) and listens. Idempotent. */
  async start(): Promise<void> {
    if (this.server !== undefined) return
    const assets = this.options.assets ?? loadAssets()
    await this.bridge.start()
    const routes = buildRoutes({ ownHost: () => `${LOOPBACK_HOST}:${this.port}`, sessions: this.sessions, bridge: this.bridge, assets })
    const server = createAdaptorServer({ fetch: routes.fetch })
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        this.bridge.stop()
        reject(new LanvaultError("NOT_ALLOWED", `cannot listen on ${LOOPBACK_HOST}:${this.options.port ?? 0} (${error.code ?? "error"})`, { cause: error }))
      })
      server.listen(this.options.port ?? 0, LOOPBACK_HOST, () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** `http://127.0.0.1:PORT`. */
  get origin(): string {
    return `http://${LOOPBACK_HOST}:${this.port}`
  }

  /** The sign-in address with the one-time token (undefined once used). Print it; never log it. */
  get signInUrl(): string | undefined {
    const token = this.sessions.oneTimeToken
    return token === undefined ? undefined : `${this.origin}/session?token=${token}`
  }

  /** Stops listening, ends open event streams and closes the daemon link. Idempotent. */
  async stop(): Promise<void> {
    this.bridge.stop()
    const server = this.server
    this.server = undefined
    if (server === undefined) return
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
    })
  }
}
