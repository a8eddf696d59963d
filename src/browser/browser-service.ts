import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { errorFields, type Logger } from "../log.js"
import { AssociationBook, type AssociationInfo } from "./association-book.js"
import type { BrowserServer } from "./browser-server.js"
import type { BrowserBackend, RecordAccess } from "./ports.js"
import { browserSocketPaths, type BrowserSocketPaths } from "./socket-paths.js"

const SETTINGS_FILE = "browser.json"
const DEFAULT_ALLOW_SECONDS = 120
const MAX_ALLOW_SECONDS = 3600
/** The extension asks to unlock on every page it looks at: pass the request on at most this often. */
const UNLOCK_REQUEST_INTERVAL_MS = 5_000

export interface BrowserServiceDeps {
  records: RecordAccess
  home: string
  logger: Logger
  /** Locks the vault (the extension's "lock database"). */
  lock: () => void
  /** The extension asked to unlock: shown to the person by the desktop app, if any. */
  requestUnlock?: () => void
}

export interface BrowserStatus {
  enabled: boolean
  listening: boolean
  socket: string
  /** When the approval window closes (ms since epoch), if one is open. */
  allowUntil?: number
}

/**
 * Browser integration as the daemon runs it: remembers `enable`/`disable` in
 * `<home>/browser.json`, runs the BrowserServer while enabled, holds the
 * approval window (`browser allow`) and the association book, and relays the
 * vault's lock state to connected browsers. The server and the protocol (with
 * tweetnacl and the TOTP and password generators) load when first enabled: most
 * daemons never run them, and a daemon's start is on a new device's way to its records.
 */
export class BrowserService {
  private server: BrowserServer | undefined
  private serverLoading: Promise<BrowserServer> | undefined
  private readonly paths: BrowserSocketPaths
  private readonly associations: AssociationBook
  private allowUntil = 0
  private waiters: Array<(name: string | undefined) => void> = []
  private allowTimer: NodeJS.Timeout | undefined
  private lastUnlockRequestAt = Number.NEGATIVE_INFINITY

  constructor(private readonly deps: BrowserServiceDeps, options: { paths?: BrowserSocketPaths; now?: () => number } = {}) {
    this.associations = new AssociationBook(deps.records)
    this.now = options.now ?? Date.now
    this.paths = options.paths ?? browserSocketPaths()
  }

  private readonly now: () => number

  /** Starts listening if the home says browser integration is on; a failure is logged, never fatal. */
  async start(): Promise<void> {
    if (!this.enabled) return
    await this.loadServer()
      .then((server) => server.start())
      .catch((error) => this.deps.logger.warn("browser: cannot listen", errorFields(error)))
  }

  async stop(): Promise<void> {
    this.closeWindow(undefined)
    await this.server?.stop()
  }

  get enabled(): boolean {
    try {
      return (JSON.parse(readFileSync(join(this.deps.home, SETTINGS_FILE), "utf8")) as { enabled?: unknown }).enabled === true
    } catch {
      return false
    }
  }

  status(): BrowserStatus {
    const open = this.allowUntil > this.now()
    return { enabled: this.enabled, listening: this.server?.listening ?? false, socket: this.paths.socket, ...(open ? { allowUntil: this.allowUntil } : {}) }
  }

  async enable(): Promise<BrowserStatus> {
    await (await this.loadServer()).start()
    await this.remember(true)
    return this.status()
  }

  async disable(): Promise<BrowserStatus> {
    await this.remember(false)
    this.closeWindow(undefined)
    await this.server?.stop()
    return this.status()
  }

  /** Opens the approval window; with `wait`, resolves once a browser associates (its name) or the window closes. */
  async allow(seconds: number = DEFAULT_ALLOW_SECONDS, wait = false): Promise<{ until: number; associated?: string }> {
    const span = Math.min(Math.max(1, Math.floor(seconds)), MAX_ALLOW_SECONDS)
    this.allowUntil = this.now() + span * 1000
    clearTimeout(this.allowTimer)
    this.allowTimer = setTimeout(() => this.closeWindow(undefined), span * 1000)
    this.allowTimer.unref()
    const until = this.allowUntil
    if (!wait) return { until }
    const associated = await new Promise<string | undefined>((resolve) => this.waiters.push(resolve))
    return associated === undefined ? { until } : { until, associated }
  }

  list(): AssociationInfo[] {
    return this.associations.list()
  }

  revoke(name: string): Promise<void> {
    return this.associations.revoke(name)
  }

  /** The vault locked or unlocked: connected browsers are told at once. */
  onLockChange(locked: boolean): void {
    this.server?.broadcast(locked ? "database-locked" : "database-unlocked")
  }

  private closeWindow(name: string | undefined): void {
    this.allowUntil = 0
    clearTimeout(this.allowTimer)
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve(name)
  }

  private async remember(enabled: boolean): Promise<void> {
    await writeFile(join(this.deps.home, SETTINGS_FILE), `${JSON.stringify({ enabled })}\n`, { mode: 0o600 })
  }

  /** The server, loaded with the protocol at its first use. */
  private loadServer(): Promise<BrowserServer> {
    this.serverLoading ??= Promise.all([import("./browser-server.js"), import("./vault-logins.js")]).then(([{ BrowserServer }, { VaultLogins }]) => {
      this.server = new BrowserServer({ backend: this.backend(new VaultLogins(this.deps.records, () => this.now())), logger: this.deps.logger }, this.paths)
      return this.server
    })
    return this.serverLoading
  }

  private backend(logins: BrowserBackend["logins"]): BrowserBackend {
    const { records } = this.deps
    return {
      get locked() {
        return records.locked
      },
      databaseHash: () => createHash("sha256").update(`lanvault browser ${records.accountId}`).digest("hex"),
      requestUnlock: () => {
        if (this.now() - this.lastUnlockRequestAt < UNLOCK_REQUEST_INTERVAL_MS) return
        this.lastUnlockRequestAt = this.now()
        this.deps.requestUnlock?.()
      },
      lock: () => this.deps.lock(),
      approvalOpen: () => this.allowUntil > this.now(),
      associate: async (idKey) => {
        const name = await this.associations.add(idKey)
        this.deps.logger.info("browser: associated", { name })
        this.closeWindow(name)
        return name
      },
      isAssociated: (id, key) => this.associations.matches(id, key),
      logins,
    }
  }
}
