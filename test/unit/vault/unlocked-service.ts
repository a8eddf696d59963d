import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { writeFreshAccount } from "../../../src/account/account.js"
import { readAccountContext } from "../../../src/account/account-context.js"
import { silentLogger } from "../../../src/log.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { VaultService } from "../../../src/vault/vault-service.js"

/** A vault service of a fresh account on a memory store, unlocked with `password`. */
export interface UnlockedService {
  vault: VaultService
  store: MemoryStore
  home: string
  /** Locks the vault and removes its home. */
  close(): void
}

/** Writes a fresh account in a new temporary home (named from `prefix`) and unlocks its vault service (no auto-lock). */
export async function openUnlockedService(prefix: string, password: string): Promise<UnlockedService> {
  const home = mkdtempSync(join(tmpdir(), prefix))
  const store = new MemoryStore()
  await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password })
  const vault = new VaultService({ store, account: readAccountContext(store), home, logger: silentLogger(), publish: () => undefined }, { autoLockMinutes: 0 })
  await vault.unlock(password)
  return {
    vault, store, home,
    close: () => {
      vault.lock("shutdown")
      rmSync(home, { recursive: true, force: true })
    },
  }
}
