import { describe, expect, it } from "vitest"
import { SnapshotSigner, wrapKeyset, type SnapshotSource } from "../../../src/account/index.js"
import { generateDeviceKeys, randomBytes, toBase64, utf8, verify } from "../../../src/crypto/index.js"
import type { DeviceIdentity, KeysetRow } from "../../../src/store/vault-store.js"
import { codeOf } from "../../helpers/error-code.js"

/** The two reads SnapshotSigner makes, as plain data; it keeps every identity copy it hands out. */
class FakeSource implements SnapshotSource {
  readonly handedOut: DeviceIdentity[] = []
  constructor(private readonly identity: DeviceIdentity | undefined, private readonly keyset: KeysetRow | undefined) {}

  getKeyset(): KeysetRow | undefined {
    return this.keyset
  }
  getIdentity(): DeviceIdentity | undefined {
    if (this.identity === undefined) return undefined
    const copy = { ...this.identity, signSecret: this.identity.signSecret.slice(), dhSecret: this.identity.dhSecret.slice() }
    this.handedOut.push(copy)
    return copy
  }
}

describe("SnapshotSigner over a fake SnapshotSource", () => {
  it("signs each part with this device's key and wipes the copy of the secret keys it read", () => {
    const keys = generateDeviceKeys()
    const fake = new FakeSource({ deviceId: "d".repeat(32), signSecret: keys.signSecret, dhSecret: keys.dhSecret }, undefined)
    const parts = [utf8("bucket 0"), utf8("bucket 1")]
    const signatures = new SnapshotSigner(fake).signAll(parts)
    parts.forEach((part, i) => expect(() => verify(keys.signPublic, part, signatures[i])).not.toThrow())
    expect(() => verify(keys.signPublic, parts[0], signatures[1])).toThrow()
    expect(fake.handedOut).toHaveLength(1)
    expect(fake.handedOut[0].signSecret.every((b) => b === 0) && fake.handedOut[0].dhSecret.every((b) => b === 0)).toBe(true)
  })

  it("without an identity signing is NO_ACCOUNT", () => {
    expect(codeOf(() => new SnapshotSigner(new FakeSource(undefined, undefined)).signAll([utf8("x")]))).toBe("NO_ACCOUNT")
  })

  it("reads the epochs the keyset names (a snapshot set's size is the buckets it holds: no bucket count to read)", () => {
    const kdf = { alg: "scrypt" as const, N: 1024, r: 8, p: 1, salt: toBase64(randomBytes(16)) }
    const blob = wrapKeyset({ currentEpoch: 7, keys: new Map([[1, randomBytes(32)], [7, randomBytes(32)]]) }, randomBytes(32), randomBytes(16), 3, kdf)
    const fake = new FakeSource(undefined, { version: 3, blob })
    const signer = new SnapshotSigner(fake)
    expect([...signer.knownEpochs()].sort((x, y) => x - y)).toEqual([1, 7])
    expect([...new SnapshotSigner(new FakeSource(undefined, undefined)).knownEpochs()]).toEqual([])
  })
})
