import { fromHex, toHex } from "../crypto/bytes.js"
import type { ByteReader } from "./byte-reader.js"
import { protocolError } from "./byte-reader.js"
import type { ByteWriter } from "./byte-writer.js"
import type { TrustInfo } from "./messages.js"
import { MAX_NAME_BYTES, nameBytes, utf8Strict } from "./text-fields.js"

/** Trust items of `hello` and `trust` messages: keys, times, and the trust key's signatures (sync protocol 6: with rename times and their signatures). */

const DEVICE_ID_BYTES = 16
const PUBLIC_KEY_BYTES = 32
/** deviceId + two keys + addedAt + flags + name length: the least a trust item takes. */
const TRUST_ITEM_MIN_BYTES = DEVICE_ID_BYTES + 2 * PUBLIC_KEY_BYTES + 8 + 1 + 2
const TRUST_FLAG_REVOKED = 0x01
const TRUST_FLAG_ADD_SIG = 0x02
const TRUST_FLAG_REVOKE_PROOF = 0x04
/** The name carries its rename time (sync protocol 4). */
const TRUST_FLAG_RENAMED = 0x08
/** The rename time carries the trust key's signature of the rename (sync protocol 6); needs TRUST_FLAG_RENAMED. */
const TRUST_FLAG_RENAME_SIG = 0x10
const TRUST_FLAGS = TRUST_FLAG_REVOKED | TRUST_FLAG_ADD_SIG | TRUST_FLAG_REVOKE_PROOF | TRUST_FLAG_RENAMED | TRUST_FLAG_RENAME_SIG
const SIGNATURE_BYTES = 64


export function writeTrust(w: ByteWriter, devices: readonly TrustInfo[]): void {
  w.u32(devices.length)
  for (const d of devices) {
    const name = nameBytes(d.name)
    w.bytes(fromHex(d.deviceId)).bytes(d.signPublic).bytes(d.dhPublic).u64(d.addedAt)
    const proof = d.revokedAt !== undefined && d.revokeSig !== undefined && d.lastSeq !== undefined
    const renameSig = d.renamedAt !== undefined && d.renameSig !== undefined
    w.u8((d.revokedAt === undefined ? 0 : TRUST_FLAG_REVOKED) | (d.addSig === undefined ? 0 : TRUST_FLAG_ADD_SIG) | (proof ? TRUST_FLAG_REVOKE_PROOF : 0) |
      (d.renamedAt === undefined ? 0 : TRUST_FLAG_RENAMED) | (renameSig ? TRUST_FLAG_RENAME_SIG : 0))
    if (d.revokedAt !== undefined) w.u64(d.revokedAt)
    if (d.addSig !== undefined) w.bytes(checkSignature(d.addSig))
    if (proof) w.bytes(checkSignature(d.revokeSig!)).u64(d.lastSeq!)
    w.u16(name.length).bytes(name)
    if (d.renamedAt !== undefined) w.u64(d.renamedAt)
    if (renameSig) w.bytes(checkSignature(d.renameSig!))
  }
}

export function readTrust(r: ByteReader): TrustInfo[] {
  const count = r.u32()
  if (count * TRUST_ITEM_MIN_BYTES > r.remaining) throw protocolError("the trust list is truncated")
  const devices: TrustInfo[] = []
  const seen = new Set<string>()
  for (let i = 0; i < count; i++) {
    const info = readTrustItem(r)
    if (seen.has(info.deviceId)) throw protocolError("a device appears twice in the trust list")
    seen.add(info.deviceId)
    devices.push(info)
  }
  return devices
}

function readTrustItem(r: ByteReader): TrustInfo {
  const deviceId = toHex(r.bytes(DEVICE_ID_BYTES))
  const signPublic = r.bytes(PUBLIC_KEY_BYTES)
  const dhPublic = r.bytes(PUBLIC_KEY_BYTES)
  const addedAt = r.u64()
  const flags = r.u8()
  if ((flags & ~TRUST_FLAGS) !== 0) throw protocolError("unknown trust flags")
  if ((flags & TRUST_FLAG_REVOKE_PROOF) !== 0 && (flags & TRUST_FLAG_REVOKED) === 0) throw protocolError("a revocation proof without a revocation")
  if ((flags & TRUST_FLAG_RENAME_SIG) !== 0 && (flags & TRUST_FLAG_RENAMED) === 0) throw protocolError("a rename signature without a rename")
  const revokedAt = flags & TRUST_FLAG_REVOKED ? r.u64() : undefined
  const addSig = flags & TRUST_FLAG_ADD_SIG ? r.bytes(SIGNATURE_BYTES) : undefined
  const revokeSig = flags & TRUST_FLAG_REVOKE_PROOF ? r.bytes(SIGNATURE_BYTES) : undefined
  const lastSeq = flags & TRUST_FLAG_REVOKE_PROOF ? r.u64() : undefined
  const nameBytes = r.u16()
  if (nameBytes > MAX_NAME_BYTES) throw protocolError("a device name is too long")
  const name = utf8Strict(r.bytes(nameBytes))
  const info: TrustInfo = { deviceId, name, signPublic, dhPublic, addedAt }
  if (flags & TRUST_FLAG_RENAMED) info.renamedAt = r.u64()
  if (flags & TRUST_FLAG_RENAME_SIG) info.renameSig = r.bytes(SIGNATURE_BYTES)
  if (revokedAt !== undefined) info.revokedAt = revokedAt
  if (addSig !== undefined) info.addSig = addSig
  if (revokeSig !== undefined) info.revokeSig = revokeSig
  if (lastSeq !== undefined) info.lastSeq = lastSeq
  return info
}

function checkSignature(signature: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_BYTES) throw new TypeError(`a signature is ${SIGNATURE_BYTES} bytes`)
  return signature
}

