import { META } from "../../../src/account/account.js"
import { wrapKeyset } from "../../../src/account/keyset.js"
import { deriveTrustKey, deriveUnlockKey, generateAccountKey, randomBytes, toBase64, toHex, type KdfParams } from "../../../src/crypto/index.js"
import { signAdd, signGeneration } from "../../../src/store/trust-proof.js"
import type { VaultStore } from "../../../src/store/vault-store.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { makeAccount, type TestAccount } from "../folder/folder-fixtures.js"

export const PASSWORD = "correct horse battery staple"

/** An account as `init` leaves it: meta, a wrapped keyset (cheap scrypt, for speed), trust list. */
export interface TestVault extends TestAccount {
  accountKey: Uint8Array
  kdf: KdfParams
  keyset: Uint8Array
}

export async function makeVault(names: string[], newStore: () => VaultStore = () => new MemoryStore()): Promise<TestVault> {
  const account = makeAccount(names, newStore)
  const accountKey = generateAccountKey()
  const kdf: KdfParams = { alg: "scrypt", N: 1024, r: 8, p: 1, salt: toBase64(randomBytes(16)) }
  const unlockKey = await deriveUnlockKey(PASSWORD, accountKey, account.accountId, kdf)
  const keyset = wrapKeyset({ currentEpoch: 1, keys: new Map([[1, account.vaultKey]]) }, unlockKey, account.accountId, 1, kdf)
  // As init and pairing leave them: every device signed in by the trust key, the generation signed too.
  const trustKey = deriveTrustKey(account.vaultKey)
  for (const device of account.devices) {
    for (const entry of device.store.trustList()) device.store.putTrust({ ...entry, addSig: signAdd(trustKey.secret, account.accountId, entry) })
    device.store.setMeta(META.trustPublicKey, toHex(trustKey.publicKey))
    device.store.setMeta(META.generationSig, toBase64(signGeneration(trustKey.secret, account.accountId, 1)))
    device.store.setMeta(META.accountId, toHex(account.accountId))
    device.store.setMeta(META.generation, "1")
    device.store.setMeta(META.deviceName, device.name)
    device.store.putKeyset(1, keyset)
  }
  return { ...account, accountKey, kdf, keyset }
}
