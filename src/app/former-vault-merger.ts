import { existsSync } from "node:fs"
import { rm } from "node:fs/promises"
import { accountIdBytes, META, type MetaTable } from "../account/index.js"
import { BackupService, openFormerKeys } from "../backup/index.js"
import { wipe } from "../crypto/index.js"
import { LanvaultError, LockedError } from "../errors.js"
import { removeDuplicates } from "../import/dedupe.js"
import { errorFields, type Logger } from "../log.js"
import type { VaultService } from "../vault/index.js"

const FORMER_PENDING_META = META.formerPending
/** Failures that another unlock would not cure: the file stays for `backup restore`, the unlock stops trying. */
const FINAL_CODES = new Set(["NOT_ALLOWED", "CORRUPT_DATA", "BAD_SIGNATURE", "INVALID_PARAMS", "WRONG_PASSWORD", "SEQUENCE_GAP"])

/** What bringing a former vault in did. */
export interface BroughtIn {
  /** Records created in the account (with their history). */
  records: number
  /** Records left out because the account holds an identical one. */
  identical: number
  /** Entries of the former vault that could not be read. */
  unreadable: number
}

export interface FormerVaultDeps {
  vault: Pick<VaultService, "locked" | "accountId" | "trustKey" | "list" | "get" | "createMany" | "remove">
  store: MetaTable
  logger: Logger
}

/**
 * Issue 11 item 2: brings the records of a vault kept from before a reset (a
 * `former-*.lvbackup` that `join` wrote) into the account as ordinary new
 * changes, which then sync to the other devices. Records identical to one the
 * account holds are left out; the rest come with their history (trashed ones go
 * back to the trash). The file is deleted once its records are in.
 */
export class FormerVaultMerger {
  private running: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: FormerVaultDeps) {}

  /** `backup restore` of a former vault: needs the unlocked vault and that vault's old password (unless `join` sealed its keys). */
  bringIn(path: string, password: string | undefined): Promise<BroughtIn> {
    const run = this.running.catch(() => undefined).then(() => this.merge(path, password))
    this.running = run
    return run
  }

  /** After an unlock: brings in what `join` left pending. Never rejects; a failure that another unlock would not cure is dropped from the list (the file stays). */
  async bringInPending(): Promise<void> {
    const { store, logger } = this.deps
    for (const path of this.pending()) {
      try {
        if (existsSync(path)) {
          const result = await this.bringIn(path, undefined)
          logger.info("brought the records of this device's vault from before the reset into the account", { ...result })
        }
        this.dropPending(path)
      } catch (error) {
        logger.warn("could not bring in the vault from before the reset", { path, ...errorFields(error) })
        if (error instanceof LanvaultError && FINAL_CODES.has(error.code)) this.dropPending(path)
      }
    }
    if (this.pending().length === 0 && store.getMeta(FORMER_PENDING_META) !== undefined) store.deleteMeta(FORMER_PENDING_META)
  }

  private async merge(path: string, password: string | undefined): Promise<BroughtIn> {
    const { vault, logger } = this.deps
    if (vault.locked) throw new LockedError()
    const backup = await BackupService.readBackup(path)
    if (backup.header.accountId !== vault.accountId) throw new LanvaultError("NOT_ALLOWED", "this vault from before a reset belongs to another account")
    const trust = vault.trustKey()
    let keys
    try {
      keys = await openFormerKeys(backup, trust.secret, password)
    } finally {
      wipe(trust.secret)
    }
    // Reading a former vault replays it in an UnlockedVault (Automerge): loaded only when there is one to read.
    const { readFormerRecords } = await import("../vault/former-records.js")
    const { records, unreadable } = readFormerRecords({
      entries: backup.entries, keys, accountId: accountIdBytes(backup.header.accountId), bucketCount: backup.header.former!.bucketCount, logger,
    })
    if (vault.locked) throw new LockedError()
    const existing = [...vault.list({}), ...vault.list({ trash: true })].map((summary) => vault.get(summary.id))
    const { drafts, duplicates } = removeDuplicates(records.map((r) => ({ record: r.record })), existing)
    const trashed = new Set(records.filter((r) => r.trashed).map((r) => r.record))
    const ids = drafts.length === 0 ? [] : await vault.createMany(drafts.map((d) => d.record))
    for (const [i, draft] of drafts.entries()) if (trashed.has(draft.record)) await vault.remove(ids[i], false)
    await rm(path, { force: true })
    this.dropPending(path)
    return { records: ids.length, identical: duplicates.length, unreadable }
  }

  private pending(): string[] {
    try {
      const list = JSON.parse(this.deps.store.getMeta(FORMER_PENDING_META) ?? "[]") as unknown
      return Array.isArray(list) ? list.filter((p): p is string => typeof p === "string") : []
    } catch {
      return []
    }
  }

  private dropPending(path: string): void {
    const rest = this.pending().filter((p) => p !== path)
    if (rest.length > 0) this.deps.store.setMeta(FORMER_PENDING_META, JSON.stringify(rest))
    else this.deps.store.deleteMeta(FORMER_PENDING_META)
  }
}
