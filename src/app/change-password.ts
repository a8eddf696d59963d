import type { VaultService } from "../vault/index.js"

export interface ChangePasswordDeps {
  vault: Pick<VaultService, "changePassword">
  replicator: { publishKeyset(): void }
  /** Runs after the change, before peers hear of it (quick unlock forgets its secret). */
  afterChange?: () => Promise<unknown>
}

/** Re-wraps the vault keys under a new password and offers the new keyset to peers. */
export async function changePassword(
  { vault, replicator, afterChange }: ChangePasswordDeps, oldPassword: string, newPassword: string, options: { allowWeak?: boolean; hint?: string } = {},
): Promise<{ keysetVersion: number }> {
  const keysetVersion = await vault.changePassword(oldPassword, newPassword, options)
  await afterChange?.()
  replicator.publishKeyset()
  return { keysetVersion }
}
