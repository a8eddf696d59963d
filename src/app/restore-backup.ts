import { isAbsolute } from "node:path"
import { META, readAccountKey, type MetaTable } from "../account/index.js"
import { BackupService } from "../backup/index.js"
import { InvalidParamsError } from "../errors.js"
import type { BroughtIn, FormerVaultMerger } from "./former-vault-merger.js"
import type { VaultService } from "../vault/index.js"

export interface RestoreDeps {
  vault: Pick<VaultService, "lock" | "settled" | "home">
  store: Pick<MetaTable, "setMeta">
  backups: Pick<BackupService, "restore">
  replicator: { publishKeyset(): void }
  former: Pick<FormerVaultMerger, "bringIn">
}

/**
 * Restores a backup (merge, or replace this device's vault): locks first, takes
 * the backup's generation on a replace, and offers the keyset it brought to peers.
 * A vault kept from before a reset is brought in as new records instead (the
 * vault stays unlocked: the records are new changes of this device).
 */
export async function restoreBackup(
  { vault, store, backups, replicator, former }: RestoreDeps, path: string, password: string, replace: boolean,
): Promise<{ restoredEntries: number; replaced: boolean; broughtIn?: BroughtIn }> {
  if (!isAbsolute(path)) throw new InvalidParamsError("the backup path must be absolute")
  if ((await BackupService.readInfo(path).then((info) => info.former, () => false)) === true) {
    if (replace) throw new InvalidParamsError("a vault from before a reset is brought in, never put in place of the vault: leave out --replace")
    return { restoredEntries: 0, replaced: false, broughtIn: await former.bringIn(path, password) }
  }
  vault.lock("request")
  await vault.settled() // the lock's last snapshot is written (in slices) before the restore rewrites the store
  const result = await backups.restore(path, { password, accountKey: readAccountKey(vault.home), replace })
  if (replace) store.setMeta(META.generation, String(result.generation))
  replicator.publishKeyset()
  return { restoredEntries: result.restoredEntries, replaced: result.replaced }
}
