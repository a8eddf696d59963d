import { connect, type LanvaultClient } from "../api/client.js"
import type { EventParams, ImportSummary, MethodName } from "../api/protocol.js"
import { LanvaultError } from "../errors.js"

/** How long a call from the page may wait for the daemon. */
const CALL_TIMEOUT_MS = 60_000
/** Wait before connecting again after the daemon went away. */
const RECONNECT_DELAY_MS = 1_000

/** The socket methods the page may call; anything else (reset, import or export of a path…) stays with the CLI. */
export const PAGE_METHODS: ReadonlySet<string> = new Set<MethodName>([
  "status", "unlock", "lock", "generate", "strength", "totp",
  "records.list", "records.get", "records.create", "records.update", "records.delete", "records.history",
  "devices.list", "devices.rename", "devices.revoke",
  "pairing.open", "pairing.close", "pairing.confirm", "pairing.status",
  "folders.list", "folders.add", "folders.remove", "backup.list", "backup.create", "backup.restore", "peers.list",
  "quickUnlock.forget", "settings.autoLock",
  "browser.status", "browser.allow", "browser.list",
])

/** Receives every daemon event, and a `daemon` pseudo-event when the link to the daemon comes or goes. */
export type BridgeListener = (event: EventParams | { type: "daemon"; connected: boolean }) => void

/**
 * The app server's one link to the daemon, through the typed socket client: calls from
 * the page go through it, and its event subscription is fanned out to every open page.
 */
export class DaemonBridge {
  private client: LanvaultClient | undefined
  private connecting: Promise<LanvaultClient> | undefined
  private readonly listeners = new Set<BridgeListener>()
  private reconnectTimer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly options: { socketPath: string }) {}

  /** Connects and subscribes; throws DAEMON_NOT_RUNNING when no daemon answers. */
  async start(): Promise<void> {
    await this.ensure()
  }

  /** Calls one of {@link PAGE_METHODS}; others are refused with NOT_ALLOWED. */
  async call(method: string, params: unknown): Promise<unknown> {
    if (!PAGE_METHODS.has(method)) throw new LanvaultError("NOT_ALLOWED", `the app may not call ${method}`)
    if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params))) {
      throw new LanvaultError("INVALID_PARAMS", "params must be an object")
    }
    const client = await this.ensure()
    return client.call(method as MethodName, (params ?? {}) as never, { timeoutMs: CALL_TIMEOUT_MS })
  }

  /** Imports a file the app server itself wrote (see import-upload.ts); the page cannot name a path. */
  async importFile(path: string): Promise<ImportSummary> {
    const client = await this.ensure()
    return client.call("import", { path }, { timeoutMs: CALL_TIMEOUT_MS })
  }

  /** Exports to a file the app server itself names (see export-download.ts); the page cannot name a path. */
  async exportFile(params: { path: string; format: string; password?: string }): Promise<{ exported: number }> {
    const client = await this.ensure()
    return client.call("export", params, { timeoutMs: CALL_TIMEOUT_MS })
  }

  /** Adds a listener of daemon events; returns the function that removes it. */
  listen(listener: BridgeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Whether the daemon link is up now. */
  get connected(): boolean {
    return this.client !== undefined && !this.client.isClosed
  }

  /** Closes the link. Idempotent. */
  stop(): void {
    this.stopped = true
    clearTimeout(this.reconnectTimer)
    this.client?.close()
    this.client = undefined
  }

  private ensure(): Promise<LanvaultClient> {
    if (this.client !== undefined && !this.client.isClosed) return Promise.resolve(this.client)
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  private async open(): Promise<LanvaultClient> {
    if (this.stopped) throw new LanvaultError("DAEMON_NOT_RUNNING", "the app server is stopping")
    const client = await connect({ socketPath: this.options.socketPath })
    client.on("close", () => this.onClose(client))
    await client.subscribe((event) => this.emit(event))
    this.client = client
    this.emit({ type: "daemon", connected: true })
    return client
  }

  private onClose(client: LanvaultClient): void {
    if (this.client !== client) return
    this.client = undefined
    this.emit({ type: "daemon", connected: false })
    if (!this.stopped) this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = setTimeout(() => {
      this.ensure().catch(() => this.scheduleReconnect())
    }, RECONNECT_DELAY_MS)
    this.reconnectTimer.unref()
  }

  private emit(event: Parameters<BridgeListener>[0]): void {
    for (const listener of this.listeners) listener(event)
  }
}
