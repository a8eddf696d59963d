import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { writeFreshAccount } from "../../src/account/account.js"
import { readAccountContext } from "../../src/account/account-context.js"
import type { EventParams } from "../../src/api/protocol.js"
import { silentLogger } from "../../src/log.js"
import { MemoryStore } from "../../src/store/memory-store.js"
import { VaultService } from "../../src/vault/vault-service.js"

/** The account password of every vault made by {@link freshUnitVault}. */
export const UNIT_PASSWORD = "correct horse battery"

/** A fresh account in a temporary home over the in-memory store, and a (locked) VaultService recording its events. */
export async function freshUnitVault(prefix: string, options?: ConstructorParameters<typeof VaultService>[1]): Promise<{ home: string; store: MemoryStore; events: EventParams[]; vault: VaultService }> {
  const home = mkdtempSync(join(tmpdir(), prefix))
  const store = new MemoryStore()
  await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password: UNIT_PASSWORD })
  const events: EventParams[] = []
  const vault = new VaultService({ store, account: readAccountContext(store), home, logger: silentLogger(), publish: (e) => events.push(e) }, options)
  return { home, store, events, vault }
}
