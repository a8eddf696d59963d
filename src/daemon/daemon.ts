import { readFileSync } from "node:fs"
import { ApiServer } from "../api/index.js"
import type { EventParams } from "../api/protocol.js"
import { homePaths } from "../account/index.js"
import type { Logger } from "../log.js"
import { SqliteStore, type VaultStore } from "../store/index.js"
import { createHandlers } from "./handlers.js"
import { VaultService } from "./vault-service.js"

export interface DaemonOptions {
  home: string
  socketPath: string
  autoLockMinutes?: number
  port?: number
  peers?: string[]
  mdns?: boolean
}

/** The package version, read once (works from src/ and dist/). */
const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version

/**
 * The composition root: opens the store, builds the vault service and the API
 * server, starts them in that order and stops them in reverse.
 */
export class Daemon {
  private store: VaultStore | undefined
  private vault: VaultService | undefined
  private api: ApiServer | undefined
  private readonly startedAt = Date.now()
  private started = false

  constructor(private readonly deps: { logger: Logger }, readonly options: DaemonOptions) {}

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    const { logger } = this.deps
    const store = SqliteStore.open(homePaths(this.options.home).database)
    this.store = store
    const publish = (event: EventParams) => this.api?.publish(event)
    const vault = new VaultService({ store, home: this.options.home, logger, publish }, { autoLockMinutes: this.options.autoLockMinutes })
    this.vault = vault
    vault.identity()
    const handlers = createHandlers({
      vault,
      store,
      status: () => ({
        version: VERSION, home: this.options.home, socket: this.options.socketPath, pid: process.pid, startedAt: this.startedAt, peers: [],
      }),
    })
    this.api = new ApiServer({ handlers, logger, onActivity: () => vault.touch() }, { socketPath: this.options.socketPath })
    await this.api.start()
    logger.info("daemon started", { home: this.options.home, socket: this.options.socketPath, version: VERSION })
  }

  /** Stops serving, locks (flushing a snapshot) and closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.api?.stop()
    this.vault?.stop()
    this.store?.close()
    this.deps.logger.info("daemon stopped")
  }
}
