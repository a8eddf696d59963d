import { auditVault as auditRecords } from "../health/index.js"
import type { VaultService } from "../vault/index.js"

/** `audit`: weak, reused and old secrets over every live record and its history. */
export function auditVault(vault: Pick<VaultService, "list" | "get" | "history">): ReturnType<typeof auditRecords> {
  const records = vault.list({}).map((summary) => vault.get(summary.id))
  return auditRecords({ records, history: (id) => vault.history(id), now: Date.now() })
}
