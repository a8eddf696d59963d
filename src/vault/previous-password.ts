import { META, type MetaTable } from "../account/index.js"
import { fromBase64, hkdf, open, seal, toBase64, utf8, wipe } from "../crypto/index.js"

const PREVIOUS_INFO = "lanvault previous password v1"

/**
 * The password key (scrypt half) a password change replaced, kept on the device
 * that changed it, sealed under a key derived from the new password key (never
 * in the clear). With it that device opens a keyset a peer made under the old
 * password on the other side of a partition (a revoke's re-key), merges its
 * epochs into one keyset under the new password, and so nothing stays
 * unreadable (issue 11 item 6). Only the one last password is kept.
 */
export function keepPreviousPassword(store: Pick<MetaTable, "setMeta">, previous: { salt: string; slow: Uint8Array }, newSlow: Uint8Array): void {
  const key = hkdf(newSlow, PREVIOUS_INFO)
  try {
    const sealed = seal(key, previous.slow, utf8(previous.salt))
    store.setMeta(META.previousPassword, JSON.stringify({ salt: previous.salt, sealed: toBase64(sealed) }))
  } finally {
    wipe(key)
  }
}

/** The previous password key, if one is kept and `heldSlow` (the current one) opens it; the caller wipes it. */
export function openPreviousPassword(store: Pick<MetaTable, "getMeta">, heldSlow: Uint8Array): { salt: string; slow: Uint8Array } | undefined {
  const text = store.getMeta(META.previousPassword)
  if (text === undefined) return undefined
  const key = hkdf(heldSlow, PREVIOUS_INFO)
  try {
    const { salt, sealed } = JSON.parse(text) as { salt: string; sealed: string }
    return { salt, slow: open(key, fromBase64(sealed), utf8(salt)) }
  } catch {
    return undefined
  } finally {
    wipe(key)
  }
}

/** The salt of the password this device replaced (public): a keyset under it is never adopted by typing that old password. */
export function replacedSalt(store: Pick<MetaTable, "getMeta">): string | undefined {
  try {
    return (JSON.parse(store.getMeta(META.previousPassword) ?? "null") as { salt?: string } | null)?.salt
  } catch {
    return undefined
  }
}
