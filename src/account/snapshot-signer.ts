import { sign, wipe } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { parseKeyset } from "./keyset.js"
import type { SnapshotSource } from "./ports.js"

/**
 * What snapshot-first sync (sync/SnapshotPort) asks of the account, read from
 * the store: this device signs the snapshot parts it serves with its device
 * key (no vault key needed, so a locked device serves them too), and the
 * epoch ids the keyset names in the clear.
 */
export class SnapshotSigner {
  constructor(private readonly store: SnapshotSource) {}

  signAll(messages: readonly Uint8Array[]): Uint8Array[] {
    const identity = this.store.getIdentity()
    if (identity === undefined) throw new LanvaultError("NO_ACCOUNT", "this device has no identity to sign a snapshot with")
    try {
      return messages.map((message) => sign(identity.signSecret, message))
    } finally {
      wipe(identity.signSecret, identity.dhSecret)
    }
  }

  knownEpochs(): ReadonlySet<number> {
    const keyset = this.store.getKeyset()
    return new Set(keyset === undefined ? [] : (parseKeyset(keyset.blob).epochs ?? []))
  }
}
