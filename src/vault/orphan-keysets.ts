import { META, parseKeyset, type WrappedKeyset } from "../account/index.js"
import type { VaultStore } from "../store/index.js"

/** Orphaned keysets kept at most (each is one partition-side re-key). */
const MAX_ORPHANS = 16

/** A keyset a peer's replaced, with the account key that opens it (both base64). */
export interface Orphan {
  blob: string
  accountKey: string
}

/** The orphaned keysets kept in store meta (see KeyManager.acceptKeyset); none if unreadable. */
export function readOrphans(store: Pick<VaultStore, "getMeta">): Orphan[] {
  try {
    const parsed = JSON.parse(store.getMeta(META.orphanKeysets) ?? "[]") as Orphan[]
    return Array.isArray(parsed) ? parsed.filter((o) => typeof o?.blob === "string" && typeof o.accountKey === "string") : []
  } catch {
    return []
  }
}

/** Keeps the newest MAX_ORPHANS orphans. */
export function writeOrphans(store: Pick<VaultStore, "setMeta">, orphans: Orphan[]): void {
  store.setMeta(META.orphanKeysets, JSON.stringify(orphans.slice(-MAX_ORPHANS)))
}

export function tryParseKeyset(blob: Uint8Array): WrappedKeyset | undefined {
  try {
    return parseKeyset(blob)
  } catch {
    return undefined
  }
}
