import { fromBase64, fromHex } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { TrustVerifier } from "../store/trust-proof.js"
import type { Backup } from "./backup-format.js"

/**
 * Checks that the account's trust key vouches for a backup's header (issue 17
 * item 8): its generation and every device of its trust list (additions,
 * revocations and renames) bear the trust key's signatures. The account id is vouched for by
 * the keyset, which opens only under it. Only an unlocked device makes these
 * signatures, so a header edited by anyone else (a device planted in the trust
 * list, another generation) is refused with BACKUP_NOT_AUTHENTIC, before
 * anything is written. A header without signatures (made before they existed)
 * is refused the same way: it cannot be checked.
 */
export function authenticateHeader(backup: Backup, trustPublic: Uint8Array): void {
  const { header } = backup
  const verifier = new TrustVerifier(fromHex(header.accountId), () => trustPublic)
  if (header.generationSig === undefined) {
    throw notAuthentic("its header is not signed (it was made by an older lanvault, or altered): make a new backup")
  }
  if (!verifier.generation(header.generation, fromBase64(header.generationSig))) {
    throw notAuthentic("its account generation does not bear the account's signature: the file was altered")
  }
  for (const device of backup.trust) {
    if (!verifier.added(device)) throw notAuthentic(`device "${device.name}" in its trust list does not bear the account's signature: the file was altered`)
    if (device.revokedAt !== undefined && !verifier.revoked(device)) {
      throw notAuthentic(`the revocation of device "${device.name}" does not bear the account's signature: the file was altered`)
    }
    if (device.renamedAt !== undefined && !verifier.renamed(device)) {
      throw notAuthentic(`the rename of device "${device.name}" does not bear the account's signature: the file was altered`)
    }
  }
}

function notAuthentic(why: string): LanvaultError {
  return new LanvaultError("BACKUP_NOT_AUTHENTIC", `this backup cannot be restored: ${why}`)
}
