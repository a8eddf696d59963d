import { readFileSync, rmSync } from "node:fs"
import { fromBase64, toBase64 } from "../crypto/index.js"
import { writeSecretFile } from "./account-files.js"
import { homePaths } from "./home.js"

/** Keysets kept aside at most: one per sending device, the newest of these. */
const MAX_ASIDE = 8

/** A peer's keyset this device did not adopt, with the account key that came with it. */
export interface AsideKeyset {
  /** The device that sent it. */
  from: string
  version: number
  blob: Uint8Array
  accountKey: Uint8Array
  /** Why it was not adopted (shown in logs). */
  reason: string
}

interface StoredAside {
  from: string
  version: number
  blob: string
  accountKey: string
  reason: string
}

/**
 * Keysets from peers that this device could not adopt yet (DESIGN §13 "Trust
 * and keys"): they did not open with its unlock key, were not signed by the
 * account's trust key, or lacked an epoch it holds. They never replace the
 * stored keyset or account.key; they are retried at unlock. Kept in a 0600 file
 * of the home, like account.key, so vault.db never holds an account key.
 */
export class AsideKeysets {
  constructor(readonly home: string) {}

  list(): AsideKeyset[] {
    let parsed: StoredAside[]
    try {
      parsed = JSON.parse(readFileSync(homePaths(this.home).asideKeysets, "utf8")) as StoredAside[]
    } catch {
      return []
    }
    if (!Array.isArray(parsed)) return []
    return parsed
      .filter((a) => typeof a?.from === "string" && Number.isSafeInteger(a.version) && typeof a.blob === "string" && typeof a.accountKey === "string")
      .map((a) => ({ from: a.from, version: a.version, blob: fromBase64(a.blob), accountKey: fromBase64(a.accountKey), reason: String(a.reason) }))
  }

  /** Keeps `aside`, replacing what the same device sent before. */
  put(aside: AsideKeyset): void {
    const kept = this.list().filter((a) => a.from !== aside.from)
    kept.push(aside)
    this.write(kept.slice(-MAX_ASIDE))
  }

  /** Keeps only the keysets `keep` says yes to. */
  retain(keep: (aside: AsideKeyset) => boolean): void {
    const all = this.list()
    const kept = all.filter(keep)
    if (kept.length !== all.length) this.write(kept)
  }

  clear(): void {
    rmSync(homePaths(this.home).asideKeysets, { force: true })
  }

  private write(list: AsideKeyset[]): void {
    if (list.length === 0) return this.clear()
    const stored: StoredAside[] = list.map((a) => ({
      from: a.from, version: a.version, blob: toBase64(a.blob), accountKey: toBase64(a.accountKey), reason: a.reason,
    }))
    writeSecretFile(homePaths(this.home).asideKeysets, JSON.stringify(stored))
  }
}
