import { META } from "../account/account.js"
import { toBase64 } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { encodeEntry } from "../store/log-entry.js"
import type { VersionVector } from "../store/vault-store.js"
import { encodeBackupHeader, trustToBackup, type BackupHeader } from "./backup-format.js"
import type { BackupSource } from "./ports.js"

/** Entries read from the store at a time while gathering a backup. */
const PAGE_ENTRIES = 1_000

/**
 * Everything a backup of `store` holds (header bytes, then each entry's), read in
 * one transaction so header and entries agree; `accountId` is the account the
 * store holds, as its owner knows it. `extra` adds header fields (a former
 * vault's sealed keys). NO_ACCOUNT if the store holds no keyset.
 */
export function gatherBackup(
  store: BackupSource, accountId: string, createdAt: number, extra: Partial<BackupHeader> = {},
): { header: BackupHeader; chunks: Uint8Array[] } {
  return store.transaction(() => {
    const keyset = store.getKeyset()
    if (keyset === undefined) {
      throw new LanvaultError("NO_ACCOUNT", "there is no account to back up: run `lanvault init` or `lanvault join` first")
    }
    // A backup holds log entries only: while a first sync still fills in those a snapshot stood in for, it would miss records.
    if (Object.keys(store.floorVector()).length > 0) {
      throw new LanvaultError("TIMEOUT", "the log is still being filled in from another device after a first sync; back up once it is done")
    }
    const chunks: Uint8Array[] = []
    let entryCount = 0
    const vector: VersionVector = {}
    for (let page = store.entriesAfter(vector, PAGE_ENTRIES); page.length > 0; page = store.entriesAfter(vector, PAGE_ENTRIES)) {
      for (const entry of page) {
        chunks.push(encodeEntry(entry))
        vector[entry.deviceId] = entry.seq
      }
      entryCount += page.length
    }
    const header: BackupHeader = {
      accountId,
      generation: Number(store.getMeta(META.generation) ?? 1),
      createdAt,
      keysetVersion: keyset.version,
      keyset: toBase64(keyset.blob),
      trust: store.trustList().map(trustToBackup),
      entryCount,
      deviceName: store.getMeta(META.deviceName) ?? "",
      ...(store.getMeta(META.generationSig) === undefined ? {} : { generationSig: store.getMeta(META.generationSig) }),
      ...extra,
    }
    return { header, chunks: [encodeBackupHeader(header), ...chunks] }
  })
}
