import { fromBase64, PAIRING_NONCE_BYTES, toBase64, utf8 } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { DEVICE_ID_PATTERN, type TrustEntry } from "../store/index.js"

const MAX_PAIRING_MESSAGE_BYTES = 1024 * 1024

/** What a joining device says about itself in handshake message 3 (psk-authenticated). */
export interface JoinRequest {
  deviceId: string
  name: string
  signPublic: Uint8Array
  /**
   * SHA-256 commitment to the joiner's nonce (crypto/pairing-code.ts). A join
   * request without one comes from a lanvault that pairs without confirmation.
   */
  commit?: Uint8Array
}

/**
 * The steps after the handshake, before anything secret moves (DESIGN §6):
 * the host reveals its nonce, the joiner opens its commitment, both show the
 * code; then the host sends the welcome, or `declined` if nobody confirmed.
 */
export type PairingStep =
  | { type: "nonce"; nonce: Uint8Array; hostName: string }
  | { type: "reveal"; nonce: Uint8Array }
  | { type: "declined"; reason: "declined" | "timeout" | "locked" }

/** What the host hands a new device once the pairing handshake is done. */
export interface Welcome {
  accountId: string
  generation: number
  bucketCount: number
  keysetVersion: number
  keyset: Uint8Array
  trust: Array<Omit<TrustEntry, "lastSeenAt">>
  host: { deviceId: string; name: string }
  /** The account's trust public key (hex): verifies trust-list and keyset changes while locked. */
  trustPublicKey?: string
}

export function encodeJoinRequest(request: JoinRequest): Uint8Array {
  return utf8(JSON.stringify({ ...request, signPublic: toBase64(request.signPublic), commit: request.commit && toBase64(request.commit) }))
}

export function decodeJoinRequest(bytes: Uint8Array): JoinRequest {
  const value = parse(bytes) as { deviceId?: unknown; name?: unknown; signPublic?: unknown; commit?: unknown }
  if (typeof value.deviceId !== "string" || !DEVICE_ID_PATTERN.test(value.deviceId) || typeof value.name !== "string" ||
    value.name.length === 0 || value.name.length > 100 || typeof value.signPublic !== "string") {
    throw protocolError("a malformed join request")
  }
  const signPublic = fromBase64(value.signPublic)
  if (signPublic.length !== 32) throw protocolError("a malformed join request")
  if (value.commit === undefined) return { deviceId: value.deviceId, name: value.name, signPublic }
  const commit = typeof value.commit === "string" ? fromBase64(value.commit) : new Uint8Array(0)
  if (commit.length !== 32) throw protocolError("a malformed join request")
  return { deviceId: value.deviceId, name: value.name, signPublic, commit }
}

export function encodeStep(step: PairingStep): Uint8Array {
  return utf8(JSON.stringify("nonce" in step ? { ...step, nonce: toBase64(step.nonce) } : step))
}

/** A pairing step of the expected type; PROTOCOL_ERROR for anything else (an older host's welcome included). */
export function decodeStep<T extends PairingStep["type"]>(bytes: Uint8Array, ...types: T[]): Extract<PairingStep, { type: T }> {
  const value = parse(bytes) as Record<string, unknown>
  const type = value.type as T
  if (!types.includes(type)) throw protocolError("keyset" in value ? "the account without a code check (an older lanvault: update it)" : "an unexpected pairing message")
  if (type === "declined") {
    if (value.reason !== "declined" && value.reason !== "timeout" && value.reason !== "locked") throw protocolError("a malformed pairing message")
    return { type, reason: value.reason } as Extract<PairingStep, { type: T }>
  }
  const nonce = typeof value.nonce === "string" ? fromBase64(value.nonce) : new Uint8Array(0)
  if (nonce.length !== PAIRING_NONCE_BYTES) throw protocolError("a malformed pairing nonce")
  if (type === "reveal") return { type, nonce } as Extract<PairingStep, { type: T }>
  const hostName = typeof value.hostName === "string" ? value.hostName.slice(0, 100) : ""
  return { type, nonce, hostName } as Extract<PairingStep, { type: T }>
}

export function encodeWelcome(welcome: Welcome): Uint8Array {
  return utf8(JSON.stringify({
    type: "welcome",
    ...welcome,
    keyset: toBase64(welcome.keyset),
    trust: welcome.trust.map((t) => ({
      ...t, signPublic: toBase64(t.signPublic), dhPublic: toBase64(t.dhPublic),
      addSig: t.addSig && toBase64(t.addSig), revokeSig: t.revokeSig && toBase64(t.revokeSig), renameSig: t.renameSig && toBase64(t.renameSig),
    })),
  }))
}

export function decodeWelcome(bytes: Uint8Array): Welcome {
  const value = parse(bytes) as Record<string, unknown>
  const trust = value.trust as Array<Record<string, unknown>> | undefined
  if (typeof value.accountId !== "string" || !DEVICE_ID_PATTERN.test(value.accountId) || !Number.isSafeInteger(value.generation) ||
    !Number.isSafeInteger(value.bucketCount) || !Number.isSafeInteger(value.keysetVersion) || typeof value.keyset !== "string" ||
    !Array.isArray(trust) || typeof (value.host as { deviceId?: unknown })?.deviceId !== "string") {
    throw protocolError("a malformed welcome")
  }
  return {
    accountId: value.accountId,
    generation: value.generation as number,
    bucketCount: value.bucketCount as number,
    keysetVersion: value.keysetVersion as number,
    keyset: fromBase64(value.keyset),
    trust: trust.map(decodeTrust),
    host: value.host as Welcome["host"],
    ...(typeof value.trustPublicKey === "string" && /^[0-9a-f]{64}$/.test(value.trustPublicKey) ? { trustPublicKey: value.trustPublicKey } : {}),
  }
}

function decodeTrust(t: Record<string, unknown>): Omit<TrustEntry, "lastSeenAt"> {
  if (typeof t.deviceId !== "string" || !DEVICE_ID_PATTERN.test(t.deviceId) || typeof t.name !== "string" ||
    typeof t.signPublic !== "string" || typeof t.dhPublic !== "string" || typeof t.addedAt !== "number") {
    throw protocolError("a malformed trust entry")
  }
  return {
    deviceId: t.deviceId,
    name: t.name,
    signPublic: fromBase64(t.signPublic),
    dhPublic: fromBase64(t.dhPublic),
    addedAt: t.addedAt,
    ...(typeof t.revokedAt === "number" ? { revokedAt: t.revokedAt } : {}),
    ...(typeof t.addSig === "string" ? { addSig: signature(t.addSig) } : {}),
    ...(typeof t.revokeSig === "string" && typeof t.lastSeq === "number" ? { revokeSig: signature(t.revokeSig), lastSeq: t.lastSeq } : {}),
    ...(typeof t.renamedAt === "number" && typeof t.renameSig === "string" ? { renamedAt: t.renamedAt, renameSig: signature(t.renameSig) } : {}),
  }
}

function signature(text: string): Uint8Array {
  const bytes = fromBase64(text)
  if (bytes.length !== 64) throw protocolError("a malformed trust signature")
  return bytes
}

function parse(bytes: Uint8Array): unknown {
  if (bytes.length > MAX_PAIRING_MESSAGE_BYTES) throw protocolError("an oversized pairing message")
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown
    if (typeof value !== "object" || value === null) throw new Error("not an object")
    return value
  } catch {
    throw protocolError("an unreadable pairing message")
  }
}

function protocolError(what: string): LanvaultError {
  return new LanvaultError("PROTOCOL_ERROR", `the other device sent ${what}`)
}
