import type { VaultKeys } from "../account/index.js"
import { randomBytes, toHex } from "../crypto/index.js"
import type { Logger } from "../log.js"
import type { RecordInput } from "../merge/types.js"
import { MemoryStore, type LogEntry } from "../store/index.js"
import { UnlockedVault } from "./unlocked-vault.js"

/** A record of a former vault as a create takes it, with its history, and whether it was in the trash. */
export interface FormerRecord {
  record: RecordInput & Required<Pick<RecordInput, "type" | "title" | "fields" | "notes" | "tags" | "favorite">>
  trashed: boolean
}

/**
 * Reads the records of a vault kept from before a reset: its (verified) entries
 * replayed in memory with its own keys, never touching this device's store.
 * Entries it cannot read are counted, not fatal. The keys are wiped after.
 */
export function readFormerRecords(
  args: { entries: readonly LogEntry[]; keys: VaultKeys; accountId: Uint8Array; bucketCount: number; logger: Logger },
): { records: FormerRecord[]; unreadable: number } {
  const store = new MemoryStore()
  store.insertEntries(args.entries)
  // An identity of its own: this replay never writes, and no actor of the account is reused.
  const identity = { deviceId: toHex(randomBytes(16)), signSecret: randomBytes(32) }
  const vault = UnlockedVault.open({ store, logger: args.logger, identity, accountId: args.accountId }, args.keys, args.bucketCount)
  try {
    const ids = [...vault.doc.list({}), ...vault.doc.list({ trash: true })].map((summary) => summary.id)
    const records = ids.map((id): FormerRecord => {
      const r = vault.doc.get(id)!
      return {
        record: {
          type: r.type, title: r.title, fields: r.fields, notes: r.notes, tags: r.tags, favorite: r.favorite,
          createdAt: r.createdAt, updatedAt: r.updatedAt, history: vault.doc.history(id),
        },
        trashed: r.trashed,
      }
    })
    return { records, unreadable: vault.unreadable.length }
  } finally {
    vault.close()
  }
}
