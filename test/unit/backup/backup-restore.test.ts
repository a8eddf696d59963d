import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { BackupService } from "../../../src/backup/backup-service.js"
import { concatBytes, deriveTrustKey, generateAccountKey, generateDeviceKeys, randomBytes, toBase64, toHex } from "../../../src/crypto/index.js"
import { signRename } from "../../../src/store/trust-proof.js"
import { encodeBackupHeader, parseBackupHeader, type BackupHeader } from "../../../src/backup/backup-format.js"
import { SqliteStore } from "../../../src/store/sqlite-store.js"
import type { VaultStore } from "../../../src/store/vault-store.js"
import { appendOwn, dump, recordingLogger, sealEntries, tempDir, trustOf } from "../folder/folder-fixtures.js"
import { makeAccount } from "../folder/folder-fixtures.js"
import { PASSWORD, makeVault, type TestVault } from "./backup-fixtures.js"

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function serviceFor(store: VaultStore) {
  const home = tempDir("lanvault-restore-")
  cleanups.push(home.remove)
  // The account the store holds, as the daemon reads it once (account context).
  return new BackupService({ store, accountId: store.getMeta("account.id")!, logger: recordingLogger(), home: home.path })
}

/** Everything a store holds that a restore may touch. */
function snapshot(store: VaultStore) {
  return { entries: dump(store), keyset: store.getKeyset(), trust: store.trustList(), snapshots: store.snapshots() }
}

function sqliteFactory(): () => VaultStore {
  const dir = tempDir("lanvault-restore-db-")
  const stores: SqliteStore[] = []
  cleanups.push(dir.remove, () => stores.forEach((s) => s.close()))
  let n = 0
  return () => {
    const store = SqliteStore.open(join(dir.path, `v${++n}.db`))
    stores.push(store)
    return store
  }
}

/** A vault of desktop (a) and laptop (b), and a backup of a's store. */
async function vaultWithBackup(newStore?: () => VaultStore, names = ["desktop", "laptop"]): Promise<{ vault: TestVault; path: string }> {
  const vault = await makeVault(names, newStore)
  const [a, b] = vault.devices
  appendOwn(vault, a, 5)
  a.store.insertEntries(appendOwn(vault, b, 2))
  const { path } = await serviceFor(a.store).create()
  return { vault, path }
}

const args = (vault: TestVault, extra: { replace?: boolean; currentGeneration?: number } = {}) =>
  ({ password: PASSWORD, accountKey: vault.accountKey, ...extra })

describe("restore: merge", () => {
  for (const [kind, factory] of [["memory", undefined], ["SQLite", "sqlite"]] as const) {
    it(`brings back what is missing and keeps newer entries (${kind} store)`, async () => {
      const { vault, path } = await vaultWithBackup(factory === "sqlite" ? sqliteFactory() : undefined)
      const [a, b] = vault.devices
      // b holds a's log only up to 3, and has newer entries of its own than the backup.
      b.store.insertEntries(a.store.entriesOf(a.deviceId, 0, 3))
      appendOwn(vault, b, 2)
      const before = dump(b.store)
      const result = await serviceFor(b.store).restore(path, args(vault))
      expect(result).toMatchObject({ restoredEntries: 2, replaced: false, skippedDevices: [], addedDevices: 0 })
      expect(b.store.head(a.deviceId)).toBe(5)
      expect(b.store.head(b.deviceId)).toBe(4)
      expect(dump(b.store)).toEqual(expect.arrayContaining(before))
    })

    it(`skips and reports a device whose entries conflict, restoring the others (${kind} store)`, async () => {
      const { vault, path } = await vaultWithBackup(factory === "sqlite" ? sqliteFactory() : undefined, ["desktop", "laptop", "phone"])
      const [a, b, c] = vault.devices
      // c holds a different, validly signed a:1 (a device that lost its log and reused seqs).
      const other = sealEntries(vault, a, 1, 1)
      c.store.insertEntries(other)
      const result = await serviceFor(c.store).restore(path, args(vault))
      expect(result.skippedDevices).toEqual([{ deviceId: a.deviceId, reason: expect.any(String) }])
      expect(result.restoredEntries).toBe(2)
      expect(c.store.head(a.deviceId)).toBe(1)
      expect(toHex(c.store.entriesOf(a.deviceId, 0)[0].signature)).toBe(toHex(other[0].signature))
      expect(c.store.head(b.deviceId)).toBe(2)
    })
  }

  it("adds trust entries the store lacks and never replaces a newer keyset", async () => {
    const { vault, path } = await vaultWithBackup()
    const [a, b] = vault.devices
    const fresh = makeAccount(["x"]).devices[0]
    // a third device's store of the same account, knowing only itself and a, with a newer keyset.
    fresh.store.setMeta("account.id", toHex(vault.accountId))
    fresh.store.setMeta("account.generation", "1")
    fresh.store.wipeAccountData()
    fresh.store.putTrust(trustOf(fresh))
    fresh.store.putTrust(trustOf(a))
    fresh.store.putKeyset(7, new Uint8Array([1, 2, 3]))
    const result = await serviceFor(fresh.store).restore(path, args(vault))
    expect(result).toMatchObject({ addedDevices: 1, restoredEntries: 7 })
    expect(fresh.store.getTrust(b.deviceId)?.signPublic).toEqual(b.keys.signPublic)
    expect(fresh.store.getKeyset()?.version).toBe(7)
  })

  it("refuses a backup made before a reset unless replacing", async () => {
    const { vault, path } = await vaultWithBackup()
    const [, b] = vault.devices
    b.store.setMeta("account.generation", "2")
    const before = snapshot(b.store)
    await expect(serviceFor(b.store).restore(path, args(vault))).rejects.toMatchObject({ code: "NOT_ALLOWED" })
    await expect(serviceFor(b.store).restore(path, args(vault, { currentGeneration: 2 }))).rejects.toMatchObject({ code: "NOT_ALLOWED" })
    expect(snapshot(b.store)).toEqual(before)
    const result = await serviceFor(b.store).restore(path, args(vault, { replace: true }))
    expect(result).toMatchObject({ replaced: true, generation: 1 })
  })
})

describe("restore: refusals leave the vault untouched", () => {
  it("a wrong password or a wrong account key is WRONG_PASSWORD", async () => {
    const { vault, path } = await vaultWithBackup()
    const [, b] = vault.devices
    appendOwn(vault, b, 1)
    const before = snapshot(b.store)
    const backups = serviceFor(b.store)
    await expect(backups.restore(path, { ...args(vault), password: "not the password" })).rejects.toMatchObject({ code: "WRONG_PASSWORD" })
    await expect(backups.restore(path, { ...args(vault, { replace: true }), accountKey: generateAccountKey() }))
      .rejects.toMatchObject({ code: "WRONG_PASSWORD" })
    expect(snapshot(b.store)).toEqual(before)
  })

  it("another account's backup is NOT_ALLOWED", async () => {
    const { path } = await vaultWithBackup()
    const other = await makeVault(["elsewhere"])
    const store = other.devices[0].store
    const before = snapshot(store)
    await expect(serviceFor(store).restore(path, args(other, { replace: true }))).rejects.toMatchObject({ code: "NOT_ALLOWED" })
    expect(snapshot(store)).toEqual(before)
  })

  it("an entry with a bad signature is BAD_SIGNATURE and nothing is written", async () => {
    const { vault, path } = await vaultWithBackup()
    const [, b] = vault.devices
    const bytes = readFileSync(path)
    bytes[bytes.length - 100] ^= 0x01 // inside the last entry's ciphertext or signature
    writeFileSync(path, bytes)
    const before = snapshot(b.store)
    await expect(serviceFor(b.store).restore(path, args(vault, { replace: true }))).rejects.toMatchObject({ code: "BAD_SIGNATURE" })
    expect(snapshot(b.store)).toEqual(before)
  })
})

/** Rewrites a backup file's header with `edit` (the entries stay as they are). */
function alterHeader(path: string, edit: (header: BackupHeader) => BackupHeader): void {
  const bytes = new Uint8Array(readFileSync(path))
  const { header, end } = parseBackupHeader(bytes)
  writeFileSync(path, concatBytes(encodeBackupHeader(edit(header)), bytes.subarray(end)))
}

describe("restore: a header altered by someone without the password is BACKUP_NOT_AUTHENTIC (issue 17 item 8)", () => {
  const planted = () => {
    const keys = generateDeviceKeys()
    return {
      deviceId: toHex(randomBytes(16)), name: "planted", signPublic: toBase64(keys.signPublic), dhPublic: toBase64(keys.dhPublic),
      addedAt: Date.now(), addSig: toBase64(randomBytes(64)),
    }
  }
  const cases: Array<[string, (header: BackupHeader) => BackupHeader]> = [
    ["a device planted in the trust list", (h) => ({ ...h, trust: [...h.trust, planted()] })],
    ["another generation", (h) => ({ ...h, generation: h.generation + 1 })],
    ["a revocation made up", (h) => ({ ...h, trust: h.trust.map((t, i) => (i === 1 ? { ...t, revokedAt: Date.now(), revokeSig: toBase64(randomBytes(64)), lastSeq: 0 } : t)) })],
    ["a rename made up (a name with a later rename time and a random signature)", (h) => ({ ...h, trust: h.trust.map((t, i) => (i === 1 ? { ...t, name: "thief", renamedAt: Date.now(), renameSig: toBase64(randomBytes(64)) } : t)) })],
    ["no signatures (an older lanvault's, or stripped)", (h) => ({ ...h, generationSig: undefined, trust: h.trust.map((t) => ({ ...t, addSig: undefined })) })],
  ]
  for (const [what, edit] of cases) {
    it(`${what}: refused, merge or replace, with the right secrets, and nothing is written`, async () => {
      const { vault, path } = await vaultWithBackup()
      const [, b] = vault.devices
      alterHeader(path, edit)
      const before = snapshot(b.store)
      for (const replace of [false, true]) {
        await expect(serviceFor(b.store).restore(path, args(vault, { replace }))).rejects.toMatchObject({ code: "BACKUP_NOT_AUTHENTIC" })
      }
      expect(snapshot(b.store)).toEqual(before)
      expect(b.store.trustList().map((t) => t.name).sort()).toEqual(["desktop", "laptop"])
    })
  }

  it("a keyset asking for a KDF cost out of bounds is refused before any derivation (CORRUPT_DATA)", async () => {
    const { vault, path } = await vaultWithBackup()
    const [, b] = vault.devices
    alterHeader(path, (h) => {
      const keyset = JSON.parse(Buffer.from(h.keyset, "base64").toString("utf8")) as { kdf: { N: number } }
      keyset.kdf.N = 2 ** 30 // 128 GiB of scrypt memory
      return { ...h, keyset: Buffer.from(JSON.stringify(keyset)).toString("base64") }
    })
    const before = snapshot(b.store)
    const started = Date.now()
    await expect(serviceFor(b.store).restore(path, args(vault, { replace: true }))).rejects.toMatchObject({ code: "CORRUPT_DATA" })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(snapshot(b.store)).toEqual(before)
  })

  it("the same backup unaltered restores, and its devices keep their signatures", async () => {
    const { vault, path } = await vaultWithBackup()
    const [, b] = vault.devices
    await serviceFor(b.store).restore(path, args(vault, { replace: true }))
    expect(b.store.trustList().every((t) => t.addSig?.length === 64)).toBe(true)
  })
})

describe("restore: a signed rename", () => {
  it("travels in the header with its time and signature, and a replace restore keeps all three (peers then check it like any rename)", async () => {
    const vault = await makeVault(["desktop", "laptop"])
    const [a, b] = vault.devices
    const trustKey = deriveTrustKey(vault.vaultKey)
    const renamedAt = 1_800_000_000_000
    const renameSig = signRename(trustKey.secret, vault.accountId, b.deviceId, "study", renamedAt)
    a.store.putTrust({ ...a.store.getTrust(b.deviceId)!, name: "study", renamedAt, renameSig })
    // An unsigned rename (made before renames were signed) is not carried as one: only its name goes.
    a.store.putTrust({ ...a.store.getTrust(a.deviceId)!, name: "old desk", renamedAt: 5 })
    const { path } = await serviceFor(a.store).create()
    const { header } = parseBackupHeader(new Uint8Array(readFileSync(path)))
    expect(header.trust.find((t) => t.deviceId === b.deviceId)).toMatchObject({ name: "study", renamedAt, renameSig: toBase64(renameSig) })
    const own = header.trust.find((t) => t.deviceId === a.deviceId)!
    expect(own.name).toBe("old desk")
    expect(own.renamedAt).toBeUndefined()
    expect(own.renameSig).toBeUndefined()
    await serviceFor(b.store).restore(path, args(vault, { replace: true }))
    expect(b.store.getTrust(b.deviceId)).toMatchObject({ name: "study", renamedAt, renameSig })
  })
})

describe("restore: replace", () => {
  for (const factory of [undefined, "sqlite"] as const) {
    it(`puts back exactly the backup's entries, keyset and trust list (${factory ?? "memory"} store)`, async () => {
      const { vault, path } = await vaultWithBackup(factory === "sqlite" ? sqliteFactory() : undefined)
      const [a, b] = vault.devices
      const expected = snapshot(a.store)
      // b has diverged: more entries, a newer keyset, a snapshot, a revoked device.
      appendOwn(vault, b, 3)
      b.store.putKeyset(9, new Uint8Array([9]))
      b.store.putSnapshot({ bucket: 0, epoch: 1, vector: {}, ciphertext: new Uint8Array([1]) })
      b.store.revokeTrust(a.deviceId, 5_000)
      const result = await serviceFor(b.store).restore(path, args(vault, { replace: true }))
      expect(result).toMatchObject({ replaced: true, restoredEntries: 7, skippedDevices: [] })
      // b's own 3 entries past the backup stay (issue 11 item 5): the others already hold them.
      const ownAfter = dump(b.store).filter((line) => line.startsWith(`${b.deviceId}:`) && Number(line.split(":")[1]) > 2)
      expect(ownAfter.map((line) => Number(line.split(":")[1]))).toEqual([3, 4, 5])
      expect({ ...snapshot(b.store), entries: dump(b.store).filter((line) => !ownAfter.includes(line)) }).toEqual(expected)
      expect(b.store.getMeta("account.generation")).toBe("1")
      expect(b.store.getIdentity()?.deviceId).toBe(b.deviceId)
    })
  }

  it("never reuses a (device, seq) pair: this device's next entry follows the ones peers already hold (issue 11 item 5)", async () => {
    const { vault, path } = await vaultWithBackup()
    const [a, b] = vault.devices
    // a writes 4 more entries after its backup; b (a peer) holds all of a's log.
    appendOwn(vault, a, 4)
    b.store.insertEntries(a.store.entriesOf(a.deviceId, 0))
    await serviceFor(a.store).restore(path, args(vault, { replace: true }))
    expect(a.store.head(a.deviceId)).toBe(9)
    // The next local entry is seq 10: b takes it as the continuation of what it holds.
    const next = appendOwn(vault, a, 1)
    expect(next[0].seq).toBe(10)
    expect(b.store.insertEntries(next).inserted).toHaveLength(1)
  })
})
