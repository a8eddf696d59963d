import { sign, wipe } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { parseKeyset } from "./keyset.js"
import { META } from "./meta-keys.js"
import type { SnapshotSource } from "./ports.js"

/** Buckets of a vault whose meta does not say (every vault before the count was stored). */
const LEGACY_BUCKET_COUNT = 64

/**
 * What snapshot-first sync (sync/SnapshotPort) asks of the account, read from
 * the store: this device signs the snapshot parts it serves with its device
 * key (no vault key needed, so a locked device serves them too), the vault's
 * bucket count, and the epoch ids the keyset names in the clear.
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

  bucketCount(): number {
    return Number(this.store.getMeta(META.bucketCount) ?? LEGACY_BUCKET_COUNT)
  }

  knownEpochs(): ReadonlySet<number> {
    const keyset = this.store.getKeyset()
    return new Set(keyset === undefined ? [] : (parseKeyset(keyset.blob).epochs ?? []))
  }
}
