import { basename } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { writeAccountKey } from "../../../src/account/account-files.js"
import { BackupService } from "../../../src/backup/backup-service.js"
import { inspectFormer, keepFormerVault, openFormerKeys, unlockFormer } from "../../../src/backup/former-vault.js"
import { deriveTrustKey, openWithTrustKey, randomBytes, sealToTrustKey, toHex } from "../../../src/crypto/index.js"
import { silentLogger } from "../../../src/log.js"
import { codeOfAsync } from "../../helpers/error-code.js"
import { appendOwn, tempDir } from "../folder/folder-fixtures.js"
import { makeVault, PASSWORD, type TestVault } from "./backup-fixtures.js"

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

async function formerHome(): Promise<{ vault: TestVault; home: string }> {
  const vault = await makeVault(["b"])
  appendOwn(vault, vault.devices[0], 3)
  const dir = tempDir("lanvault-former-")
  cleanups.push(dir.remove)
  writeAccountKey(dir.path, vault.accountKey)
  return { vault, home: dir.path }
}

describe("sealed box to the trust key", () => {
  it("opens only with the trust secret and the same context; a changed byte is refused", async () => {
    const trust = deriveTrustKey(randomBytes(32))
    const sealed = await sealToTrustKey(trust.publicKey, new Uint8Array([1, 2, 3]), "ctx")
    expect([...await openWithTrustKey(trust.secret, sealed, "ctx")]).toEqual([1, 2, 3])
    expect(await codeOfAsync(openWithTrustKey(trust.secret, sealed, "other"))).toBe("DECRYPTION_FAILED")
    expect(await codeOfAsync(openWithTrustKey(deriveTrustKey(randomBytes(32)).secret, sealed, "ctx"))).toBe("DECRYPTION_FAILED")
    const tampered = sealed.slice()
    tampered[tampered.length - 1] ^= 1
    expect(await codeOfAsync(openWithTrustKey(trust.secret, tampered, "ctx"))).toBe("DECRYPTION_FAILED")
  })
})

describe("a vault kept from before a reset (issue 11 item 2)", () => {
  it("is a backup whose keys open only with the new account's trust secret and the old password", async () => {
    const { vault, home } = await formerHome()
    const store = vault.devices[0].store
    const former = inspectFormer(store, home)!
    expect(await unlockFormer(former, "not it")).toBeUndefined()
    const trust = deriveTrustKey(randomBytes(32))
    const kept = await keepFormerVault({ store, home, former, newAccountId: toHex(vault.accountId), trustPublic: trust.publicKey, vaultKeys: undefined, now: 1_700_000_000_000 })
    expect(kept).toMatchObject({ sameAccount: true, pending: false })
    expect(basename(kept.path)).toMatch(/^former-.*\.lvbackup$/)
    const backup = await BackupService.readBackup(kept.path)
    expect(backup.entries).toHaveLength(3)
    expect(JSON.stringify(backup.header)).not.toContain(toHex(vault.accountKey))
    const keys = await openFormerKeys(backup, trust.secret, PASSWORD)
    expect(toHex(keys.keys.get(1)!)).toBe(toHex(vault.vaultKey))
    expect(await codeOfAsync(openFormerKeys(backup, trust.secret, "wrong password"))).toBe("WRONG_PASSWORD")
    expect(await codeOfAsync(openFormerKeys(backup, trust.secret, undefined))).toBe("INVALID_PARAMS")
    expect(await codeOfAsync(openFormerKeys(backup, deriveTrustKey(randomBytes(32)).secret, PASSWORD))).toBe("NOT_ALLOWED")
    // Not listed, so never pruned with the automatic backups.
    expect(await new BackupService({ store, accountId: toHex(vault.accountId), logger: silentLogger(), home }).list()).toEqual([])
  })

  it("with the old password given at join, its keys are sealed in and open without a password", async () => {
    const { vault, home } = await formerHome()
    const store = vault.devices[0].store
    const former = inspectFormer(store, home)!
    const vaultKeys = (await unlockFormer(former, PASSWORD))!
    const trust = deriveTrustKey(randomBytes(32))
    const kept = await keepFormerVault({ store, home, former, newAccountId: toHex(vault.accountId), trustPublic: trust.publicKey, vaultKeys, now: Date.now() })
    expect(kept.pending).toBe(true)
    const keys = await openFormerKeys(await BackupService.readBackup(kept.path), trust.secret, undefined)
    expect(toHex(keys.keys.get(1)!)).toBe(toHex(vault.vaultKey))
  })

  it("another account's vault is kept as a plain backup of that account", async () => {
    const { vault, home } = await formerHome()
    const store = vault.devices[0].store
    const kept = await keepFormerVault({
      store, home, former: inspectFormer(store, home)!, newAccountId: toHex(randomBytes(16)), trustPublic: deriveTrustKey(randomBytes(32)).publicKey, vaultKeys: undefined, now: Date.now(),
    })
    expect(kept).toMatchObject({ sameAccount: false, pending: false })
    expect(basename(kept.path)).toMatch(/^other-account-/)
    expect((await BackupService.readBackup(kept.path)).header.former).toBeUndefined()
  })
})
