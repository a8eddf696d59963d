import { isAbsolute, resolve } from "node:path"
import type { AccountContext } from "../account/index.js"
import { InvalidParamsError, NotFoundError } from "../errors.js"
import { FolderSync } from "./folder-sync.js"
import { accountTagOf } from "./lvlog-format.js"
import { errorFields, type Logger } from "../log.js"
import type { LogEntry } from "../store/index.js"
import type { FolderListShelf, FolderStore } from "./folder-store.js"

/** A sync folder as `folders.list` shows it (the socket's FolderInfo). */
export interface FolderInfo {
  path: string
  addedAt: number
  lastSyncAt?: number
  error?: string
}

const FOLDERS_META = "folders"

/** What the manager needs beside the store: where entries found in a folder go (the daemon wires in the vault and the replicator). */
export interface FolderManagerDeps {
  store: FolderStore & FolderListShelf
  account: AccountContext
  logger: Logger
  /** Merges entries found in a folder, once stored (the vault's changes). */
  applier: { applyRemote(entries: LogEntry[]): void }
  /** Passes them on to the connected devices (the replicator). */
  relay: { publishLocal(entries: LogEntry[]): void }
}

interface SavedFolder {
  path: string
  addedAt: number
}

/**
 * The sync folders of this device (DESIGN §9): remembered in the store, one
 * FolderSync each; entries found in them are merged (the applier) and relayed
 * to the peers (the relay), this device's own entries are written to every folder.
 */
export class FolderManager {
  private readonly running = new Map<string, { sync: FolderSync; addedAt: number }>()

  constructor(private readonly deps: FolderManagerDeps) {}

  async start(): Promise<void> {
    for (const folder of this.saved()) await this.run(folder)
  }

  async stop(): Promise<void> {
    for (const { sync } of this.running.values()) await sync.stop()
    this.running.clear()
  }

  async add(path: string): Promise<FolderInfo> {
    if (!isAbsolute(path)) throw new InvalidParamsError("the folder path must be absolute")
    const normal = resolve(path)
    if (!this.running.has(normal)) {
      const folder = { path: normal, addedAt: Date.now() }
      this.save([...this.saved().filter((f) => f.path !== normal), folder])
      await this.run(folder)
    }
    return this.list().find((f) => f.path === normal)!
  }

  async remove(path: string): Promise<{ path: string }> {
    const normal = resolve(path)
    const running = this.running.get(normal)
    if (!running && !this.saved().some((f) => f.path === normal)) throw new NotFoundError(`sync folder ${normal}`)
    await running?.sync.stop()
    this.running.delete(normal)
    this.save(this.saved().filter((f) => f.path !== normal))
    return { path: normal }
  }

  list(): FolderInfo[] {
    return [...this.running.entries()].map(([path, { sync, addedAt }]) => {
      const status = sync.status()
      return { path, addedAt, lastSyncAt: status.lastSyncAt, error: status.error }
    })
  }

  publishLocal(entries: LogEntry[]): void {
    for (const { sync } of this.running.values()) sync.publishLocal(entries)
  }

  /** The trust list changed: a newly paired device's file can be read now. */
  refresh(): void {
    for (const { sync } of this.running.values()) void sync.refresh()
  }

  private async run(folder: SavedFolder): Promise<void> {
    const { store, logger, account } = this.deps
    const sync = new FolderSync(
      { store, logger, accountId: account.accountIdBytes, deviceId: account.deviceId, onEntries: (entries) => this.found(entries) },
      { path: folder.path, accountTag: accountTagOf(account.accountIdBytes) },
    )
    this.running.set(folder.path, { sync, addedAt: folder.addedAt })
    try {
      await sync.start()
    } catch (error) {
      logger.warn("sync folder could not start; retrying in the background", { folder: folder.path, ...errorFields(error) })
    }
  }

  /** Entries another device wrote to a folder were stored: merged, then relayed. */
  private found(entries: LogEntry[]): void {
    this.deps.applier.applyRemote(entries)
    this.deps.relay.publishLocal(entries)
  }

  private saved(): SavedFolder[] {
    try {
      const list = JSON.parse(this.deps.store.getMeta(FOLDERS_META) ?? "[]") as SavedFolder[]
      return Array.isArray(list) ? list.filter((f) => typeof f?.path === "string") : []
    } catch {
      return []
    }
  }

  private save(folders: SavedFolder[]): void {
    this.deps.store.setMeta(FOLDERS_META, JSON.stringify(folders))
  }
}
