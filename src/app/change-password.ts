import type { VaultService } from "../vault/index.js"

export interface ChangePasswordDeps {
  vault: Pick<VaultService, "changePassword">
  replicator: { publishKeyset(): void }
}

/** Re-wraps the vault keys under a new password and offers the new keyset to peers. */
export async function changePassword(
  { vault, replicator }: ChangePasswordDeps, oldPassword: string, newPassword: string, options: { allowWeak?: boolean; hint?: string } = {},
): Promise<{ keysetVersion: number }> {
  const keysetVersion = await vault.changePassword(oldPassword, newPassword, options)
  replicator.publishKeyset()
  return { keysetVersion }
}
