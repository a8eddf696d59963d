import { setImmediate as nextTurn } from "node:timers/promises"
import { META } from "../account/account.js"
import { concatBytes, toBase64 } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { encodeEntry } from "../store/log-entry.js"
import type { VersionVector } from "../store/vault-store.js"
import { encodeBackupHeader, trustToBackup, type BackupHeader } from "./backup-format.js"
import type { BackupSource } from "./ports.js"

/** Entries read from the store per slice while gathering a backup, at most (≈ 10 ms of reading and encoding small ones): the event loop runs between slices... */
const PAGE_ENTRIES = 1_000
/** ...and about this many bytes of them: an import writes one entry a bucket (≈ 60 KiB), and 1,000 of those were a 60 MiB slice. */
const PAGE_BYTES = 1024 * 1024
/** Entries of the first page, before any size is known. */
const FIRST_PAGE_ENTRIES = 8

/** A backup being gathered: its header (known at once), then its bytes, a slice at a time. */
export interface GatheredBackup {
  header: BackupHeader
  /** The header's bytes, then each page of entries'; throws if the vault was reset or replaced meanwhile. */
  chunks: AsyncIterable<Uint8Array>
}

/**
 * Starts a backup of `store`: the header and the entries it will hold (every
 * entry up to the store's version vector then) are fixed in one short
 * transaction, then the entries are read a page per turn of the event loop, so
 * the daemon keeps answering while a big vault is backed up. Entries are never
 * changed once stored, only all wiped (a reset, a restore in place): a gather
 * that then misses some fails instead of writing a backup short of its header.
 * `accountId` is the account the store holds, as its owner knows it; `extra`
 * adds header fields (a former vault's sealed keys). NO_ACCOUNT if the store
 * holds no keyset.
 */
export function gatherBackup(
  store: BackupSource, accountId: string, createdAt: number, extra: Partial<BackupHeader> = {}, progress?: (done: number, total: number) => void,
): GatheredBackup {
  const { header, vector } = store.transaction(() => ({ header: backupHeader(store, accountId, createdAt, extra), vector: store.versionVector() }))
  return { header, chunks: backupChunks(store, header, vector, progress) }
}

/** Reads a whole gathered backup into memory (tests, small vaults). */
export async function collectBackup(gathered: GatheredBackup): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = []
  for await (const chunk of gathered.chunks) chunks.push(chunk)
  return chunks
}

function backupHeader(store: BackupSource, accountId: string, createdAt: number, extra: Partial<BackupHeader>): BackupHeader {
  const keyset = store.getKeyset()
  if (keyset === undefined) {
    throw new LanvaultError("NO_ACCOUNT", "there is no account to back up: run `lanvault init` or `lanvault join` first")
  }
  // A backup holds log entries only: while a first sync still fills in those a snapshot stood in for, it would miss records.
  if (Object.keys(store.floorVector()).length > 0) {
    throw new LanvaultError("TIMEOUT", "the log is still being filled in from another device after a first sync; back up once it is done")
  }
  return {
    accountId,
    generation: Number(store.getMeta(META.generation) ?? 1),
    createdAt,
    keysetVersion: keyset.version,
    keyset: toBase64(keyset.blob),
    trust: store.trustList().map(trustToBackup),
    entryCount: store.countEntries(),
    deviceName: store.getMeta(META.deviceName) ?? "",
    ...(store.getMeta(META.generationSig) === undefined ? {} : { generationSig: store.getMeta(META.generationSig) }),
    ...extra,
  }
}

/** The header's bytes, then every entry up to `vector` (device by device, in seq order), a page per turn; `progress` after each page. */
async function* backupChunks(store: BackupSource, header: BackupHeader, vector: VersionVector, progress?: (done: number, total: number) => void): AsyncGenerator<Uint8Array> {
  yield encodeBackupHeader(header)
  let count = 0
  let pageEntries = FIRST_PAGE_ENTRIES
  for (const deviceId of Object.keys(vector).sort()) {
    for (let after = 0; after < vector[deviceId];) {
      await nextTurn()
      const page = store.entriesOf(deviceId, after, Math.min(pageEntries, vector[deviceId] - after))
      if (page.length === 0) break
      after = page.at(-1)!.seq
      count += page.length
      const chunk = concatBytes(...page.map(encodeEntry))
      pageEntries = nextPageEntries(page.length, chunk.length)
      progress?.(count, header.entryCount)
      yield chunk
    }
  }
  if (count !== header.entryCount || Number(store.getMeta(META.generation) ?? 1) !== header.generation) {
    throw new LanvaultError("TIMEOUT", "the vault was reset or replaced while it was being backed up; make the backup again")
  }
}

/** Entries of the next page: about PAGE_BYTES at the size of the last page's entries, from 1 to PAGE_ENTRIES. */
function nextPageEntries(entries: number, bytes: number): number {
  return Math.min(PAGE_ENTRIES, Math.max(1, Math.floor(PAGE_BYTES / Math.max(1, bytes / entries))))
}
