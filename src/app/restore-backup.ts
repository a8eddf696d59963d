import { isAbsolute } from "node:path"
import { META, readAccountKey } from "../account/index.js"
import type { BackupService } from "../backup/index.js"
import { InvalidParamsError } from "../errors.js"
import type { VaultStore } from "../store/index.js"
import type { VaultService } from "../vault/index.js"

export interface RestoreDeps {
  vault: Pick<VaultService, "lock" | "home">
  store: Pick<VaultStore, "setMeta">
  backups: Pick<BackupService, "restore">
  replicator: { publishKeyset(): void }
}

/**
 * Restores a backup (merge, or replace this device's vault): locks first, takes
 * the backup's generation on a replace, and offers the keyset it brought to peers.
 */
export async function restoreBackup(
  { vault, store, backups, replicator }: RestoreDeps, path: string, password: string, replace: boolean,
): Promise<{ restoredEntries: number; replaced: boolean }> {
  if (!isAbsolute(path)) throw new InvalidParamsError("the backup path must be absolute")
  vault.lock("request")
  const result = await backups.restore(path, { password, accountKey: readAccountKey(vault.home), replace })
  if (replace) store.setMeta(META.generation, String(result.generation))
  replicator.publishKeyset()
  return { restoredEntries: result.restoredEntries, replaced: result.replaced }
}
