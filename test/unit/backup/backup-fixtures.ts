import { META } from "../../../src/account/account.js"
import { wrapKeyset } from "../../../src/account/keyset.js"
import { deriveUnlockKey, generateAccountKey, randomBytes, toBase64, toHex, type KdfParams } from "../../../src/crypto/index.js"
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
  for (const device of account.devices) {
    device.store.setMeta(META.accountId, toHex(account.accountId))
    device.store.setMeta(META.generation, "1")
    device.store.setMeta(META.deviceName, device.name)
    device.store.putKeyset(1, keyset)
  }
  return { ...account, accountKey, kdf, keyset }
}
