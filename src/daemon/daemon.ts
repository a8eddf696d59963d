import { readFileSync } from "node:fs"
import { ApiServer } from "../api/index.js"
import type { EventParams } from "../api/protocol.js"
import { homePaths, META, readAccountContext } from "../account/index.js"
import { errorFields, type Logger } from "../log.js"
import { SqliteStore, type VaultStore } from "../store/index.js"
import { BackupService } from "../backup/index.js"
import { BrowserService } from "../browser/index.js"
import { createBrowserHandlers } from "./browser-handlers.js"
import { createHandlers } from "./handlers.js"
import { SyncStack } from "./sync-stack.js"
// app/'s parts one by one: its index would load every use case, which handlers.ts loads at first call.
import { storedAutoLockMinutes } from "../app/auto-lock-setting.js"
import { FormerVaultMerger } from "../app/former-vault-merger.js"
import { QuickUnlockFlow } from "../app/quick-unlock-flow.js"
import { releaseHeapSoon, VaultService } from "../vault/index.js"

export interface DaemonOptions {
  home: string
  socketPath: string
  autoLockMinutes?: number
  /** Listening port for other devices (default 47110; 0 picks a free one). */
  port?: number
  /** Listening address (default all IPv4 interfaces). */
  host?: string
  peers?: string[]
  mdns?: boolean
  /** Extra networks (CIDR) to treat as the LAN. */
  allowCidrs?: string[]
}

/** A burst of edits in a big vault costs one automatic backup a minute, not one per 5 edits... */
const BACKUP_MIN_INTERVAL_MS = 60_000
/** ...or fewer, so that they take at most 2 % of the time (a backup copies the whole log: ≈ 2.5 s at 100k records)... */
const BACKUP_BUSY_SHARE = 0.02
/** ...and once no request came for this long (a burst of edits and reads is not slowed by the copy's pages). */
const BACKUP_QUIET_MS = 5_000

/** The package version, read once (works from src/ and dist/). */
const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version

/**
 * The composition root: opens the store, builds the vault service, the sync
 * stack (replicator, pairing, peer network) and the API server, starts them in
 * that order and stops them in reverse.
 */
export class Daemon {
  private store: VaultStore | undefined
  private vault: VaultService | undefined
  private sync: SyncStack | undefined
  private backups: BackupService | undefined
  private api: ApiServer | undefined
  private browser: BrowserService | undefined
  private readonly startedAt = Date.now()
  private started = false

  constructor(private readonly deps: { logger: Logger }, readonly options: DaemonOptions) {}

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    const { logger } = this.deps
    const store = SqliteStore.open(homePaths(this.options.home).database)
    this.store = store
    const publish = (event: EventParams) => {
      this.api?.publish(event)
      if (event.type === "locked" || event.type === "unlocked") this.browser?.onLockChange(event.type === "locked")
      // A locked daemon reads little: SQLite's page cache goes back with the session's heap.
      if (event.type === "locked") store.releaseMemory()
      // While unlocked, no commit (an edit's, an entry's from a peer) waits for a WAL checkpoint: they run on a worker.
      if (event.type === "locked" || event.type === "unlocked") {
        store.checkpointInBackground(event.type === "unlocked", (error) => logger.warn("background checkpoints failed; SQLite checkpoints again", errorFields(error)))
      }
      // The records of this device's vault from before a reset, which `join` left pending, come in at the first unlock.
      if (event.type === "unlocked" && store.getMeta(META.formerPending) !== undefined) void former.bringInPending()
    }
    // The account id survives a reset: read once here; the parts that talk to other devices read the whole context per identity.
    const account = readAccountContext(store)
    const vault = new VaultService(
      {
        store, account, home: this.options.home, logger, publish,
        onKeysetArrived: () => void quickUnlock.forgetIfStale().catch((error: unknown) => logger.warn("quick unlock check failed", errorFields(error))),
      },
      // `--auto-lock` for this run, else what was chosen with `settings.autoLock`, else the default.
      { autoLockMinutes: this.options.autoLockMinutes ?? storedAutoLockMinutes(store) },
    )
    this.vault = vault
    const quickUnlock = new QuickUnlockFlow({ vault, home: this.options.home, logger })
    const former = new FormerVaultMerger({ vault, store, logger })
    vault.identity()
    this.backups = new BackupService({ store, accountId: account.accountId, logger, home: this.options.home }, { minIntervalMs: BACKUP_MIN_INTERVAL_MS, busyShare: BACKUP_BUSY_SHARE, quietMs: BACKUP_QUIET_MS })
    this.backups.start()
    await this.startSync()
    // New local entries go to the peers and the folders (sinks the sync stack adds), then count towards the next backup.
    vault.changes.addSink(this.backups)
    const browser = new BrowserService({
      records: vault,
      home: this.options.home,
      logger,
      lock: () => vault.lock("request"),
      // The extension's unlock button: a remembered quick unlock opens the vault; a desktop app may prompt otherwise.
      requestUnlock: () => {
        publish({ type: "browser.unlockRequested", reason: "triggerUnlock" })
        if (quickUnlock.state() === undefined) return
        quickUnlock.unlock(undefined, undefined).catch((error: unknown) => logger.warn("browser: quick unlock failed", errorFields(error)))
      },
    })
    this.browser = browser
    const handlers = {
      ...createHandlers({
        vault,
        store,
        sync: () => this.sync!,
        backups: () => this.backups!,
        afterReset: () => this.restartSync(),
        quickUnlock,
        former,
        publish,
        status: () => ({
          version: VERSION, home: this.options.home, socket: this.options.socketPath, pid: process.pid, startedAt: this.startedAt,
          port: this.sync?.network.port, peers: this.sync?.peers() ?? [], obsolete: this.sync?.network.obsoleteReason,
        }),
      }),
      ...createBrowserHandlers(browser),
    }
    this.api = new ApiServer({ handlers, logger, onActivity: () => { vault.touch(); this.backups?.noteActivity() } }, { socketPath: this.options.socketPath })
    // The browser socket first: once the API answers, everything the daemon serves is up.
    await browser.start()
    await this.api.start()
    // Loading and checking left garbage an idle daemon would hold until its next full collection;
    // not if an unlock came first (a new device unlocks at once): the collections would land on its work, and its lock releases.
    releaseHeapSoon({ unless: () => !vault.locked || vault.unlocks.pending !== undefined })
    logger.info("daemon started", { home: this.options.home, socket: this.options.socketPath, port: this.sync?.network.port, version: VERSION })
  }

  /** Stops serving, locks (flushing a snapshot) and closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.browser?.stop()
    await this.api?.stop()
    await this.sync?.stop()
    await this.backups?.stop()
    this.vault?.stop()
    this.store?.close()
    this.deps.logger.info("daemon stopped")
  }

  private async startSync(): Promise<void> {
    this.sync = new SyncStack(
      {
        store: this.store!, home: this.options.home, logger: this.deps.logger, vault: this.vault!,
        account: readAccountContext(this.store!), publish: (e) => this.api?.publish(e), answersFlushed: () => this.api?.answersFlushed(),
      },
      { host: this.options.host, port: this.options.port, peers: this.options.peers, extraCidrs: this.options.allowCidrs, mdns: this.options.mdns },
    )
    await this.sync.start()
  }

  /** After a reset the device identity is new: links of the old one end. */
  private async restartSync(): Promise<void> {
    await this.sync?.stop()
    await this.startSync()
  }
}
