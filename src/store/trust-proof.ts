import { concatBytes, sign, u64be, utf8, verify } from "../crypto/index.js"
import type { TrustEntry } from "./vault-store.js"

const ADD_CONTEXT = "lanvault trust add v1"
const REVOKE_CONTEXT = "lanvault trust revoke v1"
const GENERATION_CONTEXT = "lanvault generation v1"
const RENAME_CONTEXT = "lanvault trust rename v1"
const DEVICE_ID_BYTES = 16

type Added = Pick<TrustEntry, "deviceId" | "signPublic" | "dhPublic" | "addedAt">

/** The statement an unlocked device signs to add a device: account, device id, both public keys, time. */
export function addStatement(accountId: Uint8Array, entry: Added): Uint8Array {
  return concatBytes(utf8(ADD_CONTEXT), accountId, deviceIdBytes(entry.deviceId), entry.signPublic, entry.dhPublic, u64be(entry.addedAt))
}

/** The statement an unlocked device signs to revoke one: account, device id, time, and the last seq accepted from it. */
export function revokeStatement(accountId: Uint8Array, deviceId: string, revokedAt: number, lastSeq: number): Uint8Array {
  return concatBytes(utf8(REVOKE_CONTEXT), accountId, deviceIdBytes(deviceId), u64be(revokedAt), u64be(lastSeq))
}

/** The statement an unlocked device signs to rename one: account, device id, the name (UTF-8, length-prefixed), time. */
export function renameStatement(accountId: Uint8Array, deviceId: string, name: string, renamedAt: number): Uint8Array {
  const nameBytes = utf8(name)
  return concatBytes(utf8(RENAME_CONTEXT), accountId, deviceIdBytes(deviceId), u64be(nameBytes.length), nameBytes, u64be(renamedAt))
}

/** Signs `entry`'s addition with the account's trust key (an unlocked device's). */
export function signAdd(trustSecret: Uint8Array, accountId: Uint8Array, entry: Added): Uint8Array {
  return sign(trustSecret, addStatement(accountId, entry))
}

export function signRevoke(trustSecret: Uint8Array, accountId: Uint8Array, deviceId: string, revokedAt: number, lastSeq: number): Uint8Array {
  return sign(trustSecret, revokeStatement(accountId, deviceId, revokedAt, lastSeq))
}

export function signRename(trustSecret: Uint8Array, accountId: Uint8Array, deviceId: string, name: string, renamedAt: number): Uint8Array {
  return sign(trustSecret, renameStatement(accountId, deviceId, name, renamedAt))
}

/** The statement an unlocked device signs for the account's generation (a backup carries it: a restore may trust it). */
export function generationStatement(accountId: Uint8Array, generation: number): Uint8Array {
  return concatBytes(utf8(GENERATION_CONTEXT), accountId, u64be(generation))
}

export function signGeneration(trustSecret: Uint8Array, accountId: Uint8Array, generation: number): Uint8Array {
  return sign(trustSecret, generationStatement(accountId, generation))
}

/** Checks trust-list changes against the account's trust public key; with no key known, nothing passes. */
export class TrustVerifier {
  constructor(private readonly accountId: Uint8Array, private readonly trustPublic: () => Uint8Array | undefined) {}

  /** Whether the entry's addition bears the trust key's signature. */
  added(entry: Omit<TrustEntry, "lastSeenAt">): boolean {
    const key = this.trustPublic()
    return key !== undefined && entry.addSig !== undefined && checks(key, addStatement(this.accountId, entry), entry.addSig)
  }

  /** Whether the entry's revocation (time and cutoff) bears the trust key's signature. */
  revoked(entry: Omit<TrustEntry, "lastSeenAt">): boolean {
    const key = this.trustPublic()
    if (key === undefined || entry.revokedAt === undefined || entry.revokeSig === undefined || entry.lastSeq === undefined) return false
    return checks(key, revokeStatement(this.accountId, entry.deviceId, entry.revokedAt, entry.lastSeq), entry.revokeSig)
  }

  /** Whether the entry's name and rename time bear the trust key's signature (a locked device cannot rename). */
  renamed(entry: Pick<TrustEntry, "deviceId" | "name" | "renamedAt" | "renameSig">): boolean {
    const key = this.trustPublic()
    if (key === undefined || entry.renamedAt === undefined || entry.renameSig === undefined) return false
    return checks(key, renameStatement(this.accountId, entry.deviceId, entry.name, entry.renamedAt), entry.renameSig)
  }

  /** Whether `signature` is the trust key's over the account's `generation`. */
  generation(generation: number, signature: Uint8Array | undefined): boolean {
    const key = this.trustPublic()
    return key !== undefined && signature !== undefined && Number.isSafeInteger(generation) && generation >= 0 &&
      checks(key, generationStatement(this.accountId, generation), signature)
  }
}

function checks(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    verify(key, message, signature)
    return true
  } catch {
    return false
  }
}

function deviceIdBytes(deviceId: string): Uint8Array {
  const bytes = Buffer.from(deviceId, "hex")
  if (bytes.length !== DEVICE_ID_BYTES) throw new TypeError("a device id is 16 bytes")
  return new Uint8Array(bytes)
}
