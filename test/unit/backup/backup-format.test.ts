import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { encodeBackup, parseBackup, parseBackupHeader, trustToBackup, type BackupHeader } from "../../../src/backup/backup-format.js"
import { BackupService } from "../../../src/backup/backup-service.js"
import { toBase64, toHex } from "../../../src/crypto/index.js"
import { CorruptDataError } from "../../../src/errors.js"
import { appendOwn, recordingLogger, sealEntries, tempDir } from "../folder/folder-fixtures.js"
import { makeVault } from "./backup-fixtures.js"

const cleanups: Array<() => unknown> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

const vault = await makeVault(["desktop", "laptop"])
const [a, b] = vault.devices
const entries = [...sealEntries(vault, a, 1, 3), ...sealEntries(vault, b, 1, 2)]
const header: BackupHeader = {
  accountId: toHex(vault.accountId), generation: 1, createdAt: 1_700_000_000_000, keysetVersion: 1,
  keyset: toBase64(vault.keyset), trust: a.store.trustList().map(trustToBackup), entryCount: entries.length, deviceName: "desktop",
}
const file = encodeBackup(header, entries)

function corrupt(bytes: Uint8Array): CorruptDataError {
  try {
    parseBackup(bytes)
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptDataError)
    return error as CorruptDataError
  }
  throw new Error("parsed")
}

describe("backup format", () => {
  it("round-trips header, keyset, trust and entries", () => {
    const backup = parseBackup(file)
    expect(backup.header).toEqual(header)
    expect(backup.keyset).toEqual(vault.keyset)
    expect(backup.trust).toEqual(a.store.trustList().map(({ lastSeenAt: _, ...t }) => t))
    expect(backup.entries.map((e) => `${e.deviceId}:${e.seq}`)).toEqual(entries.map((e) => `${e.deviceId}:${e.seq}`))
  })

  it("every truncation is CORRUPT_DATA with a clear message", () => {
    for (let cut = 0; cut < file.length; cut += 7) {
      expect(corrupt(file.subarray(0, cut)).code).toBe("CORRUPT_DATA")
    }
    expect(corrupt(file.subarray(0, 5)).message).toContain("not a lanvault backup")
    expect(corrupt(file.subarray(0, 40)).message).toContain("truncated inside its header")
    expect(corrupt(file.subarray(0, file.length - 1)).message).toMatch(/truncated/)
  })

  it("malformed headers, counts, orders and foreign entries are CORRUPT_DATA", () => {
    const bad = (patch: Partial<BackupHeader>, list = entries) => corrupt(encodeBackup({ ...header, ...patch }, list)).message
    expect(bad({ entryCount: 6 })).toContain("holds 5 of 6 entries")
    expect(bad({ entryCount: 4 })).toContain("after its last entry")
    expect(bad({ keysetVersion: 2 })).toContain("keyset version")
    expect(bad({ keyset: "!!!" })).toContain("keyset")
    expect(bad({ accountId: "xyz" })).toContain("account id")
    expect(bad({ trust: [] })).toContain("trust list")
    expect(bad({ trust: header.trust.slice(0, 1) })).toContain("trust list lacks")
    expect(bad({}, [entries[1], entries[0], ...entries.slice(2)])).toContain("where 1 belongs")
    expect(bad({ entryCount: 4 }, entries.slice(1))).toContain("where 1 belongs")
    const text = new TextDecoder().decode(file).replace('"generation":1', '"generation":"one"')
    expect(corrupt(new TextEncoder().encode(text)).message).toContain("generation")
    const garbled = file.slice()
    garbled[20] = 0xff
    expect(corrupt(garbled).message).toMatch(/JSON/)
  })

  it("random bytes, and random damage to a good file, never throw anything but CorruptDataError", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(() => parseBackup(bytes)).toThrow(CorruptDataError)
    }))
    fc.assert(fc.property(fc.nat(file.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const damaged = file.slice()
      damaged[at] ^= xor
      try {
        parseBackup(damaged) // a flip inside a ciphertext still parses: signatures are checked at restore
      } catch (error) {
        expect(error).toBeInstanceOf(CorruptDataError)
      }
    }))
  })

  it("the header alone is read without the entries", () => {
    const { header: read, end } = parseBackupHeader(file.subarray(0, file.indexOf(0x0a, 10) + 1))
    expect(read).toEqual(header)
    expect(end).toBe(file.indexOf(0x0a, 10) + 1)
  })

  it("readBackup of a truncated file on disk is CORRUPT_DATA; list still reads its header", async () => {
    const home = tempDir("lanvault-format-")
    cleanups.push(home.remove)
    appendOwn(vault, a, 3)
    const backups = new BackupService({ store: a.store, accountId: toHex(vault.accountId), logger: recordingLogger(), home: home.path })
    const info = await backups.create()
    const bytes = readFileSync(info.path)
    writeFileSync(info.path, bytes.subarray(0, bytes.length - 30))
    await expect(BackupService.readBackup(info.path)).rejects.toMatchObject({ code: "CORRUPT_DATA" })
    expect((await backups.list()).map((i) => i.entries)).toEqual([3])
    writeFileSync(join(home.path, "x.lvbackup"), "LVBACKUP1\n{")
    await expect(BackupService.readBackup(join(home.path, "x.lvbackup"))).rejects.toMatchObject({ code: "CORRUPT_DATA" })
  })
})
