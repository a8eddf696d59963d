import { describe, expect, it } from "vitest"
import { collectBackup, gatherBackup } from "../../../src/backup/backup-gather.js"
import { parseBackup } from "../../../src/backup/backup-format.js"
import type { BackupSource } from "../../../src/backup/ports.js"
import { wrapKeyset } from "../../../src/account/keyset.js"
import { concatBytes, randomBytes, toBase64, toHex } from "../../../src/crypto/index.js"
import type { LogEntry } from "../../../src/store/log-entry.js"
import type { KeysetRow, TrustEntry, VersionVector } from "../../../src/store/vault-store.js"
import { codeOf } from "../../helpers/error-code.js"
import { makeAccount, sealEntries, trustOf } from "../folder/folder-fixtures.js"

/** The port a backup is gathered from, as plain data; it counts every read of the header's facts made outside a transaction. */
class FakeSource implements BackupSource {
  readonly meta = new Map<string, string>()
  floor: VersionVector = {}
  readsOutside = 0
  pagesRead = 0
  private inTransaction = false

  constructor(public entries: LogEntry[], private readonly keyset: KeysetRow | undefined, private readonly trust: TrustEntry[]) {}

  getMeta(key: string): string | undefined {
    return this.read(this.meta.get(key))
  }
  getKeyset(): KeysetRow | undefined {
    return this.read(this.keyset)
  }
  trustList(): TrustEntry[] {
    return this.read(this.trust)
  }
  versionVector(): VersionVector {
    const vector: VersionVector = {}
    for (const e of this.entries) vector[e.deviceId] = Math.max(vector[e.deviceId] ?? 0, e.seq)
    return this.read(vector)
  }
  countEntries(): number {
    return this.read(this.entries.length)
  }
  entriesOf(deviceId: string, afterSeq: number, limit = Infinity): LogEntry[] {
    this.pagesRead += 1
    return this.entries.filter((e) => e.deviceId === deviceId && e.seq > afterSeq).slice(0, limit)
  }
  floorVector(): VersionVector {
    return this.read(this.floor)
  }
  transaction<T>(fn: () => T): T {
    this.inTransaction = true
    try {
      return fn()
    } finally {
      this.inTransaction = false
    }
  }
  private read<T>(value: T): T {
    if (!this.inTransaction) this.readsOutside += 1
    return value
  }
}

function source(entryCount: number) {
  const account = makeAccount(["desk", "laptop"])
  const [desk, laptop] = account.devices
  const entries = [...sealEntries(account, desk, 1, entryCount), ...sealEntries(account, laptop, 1, 3)]
  const kdf = { alg: "scrypt" as const, N: 1024, r: 8, p: 1, salt: toBase64(randomBytes(16)) }
  const keyset = wrapKeyset({ currentEpoch: 1, keys: new Map([[1, account.vaultKey]]) }, randomBytes(32), account.accountId, 4, kdf)
  const fake = new FakeSource(entries, { version: 4, blob: keyset }, [trustOf(desk), trustOf(laptop)])
  fake.meta.set("account.generation", "2")
  fake.meta.set("device.name", "desk")
  return { account, entries, fake }
}

describe("gatherBackup over a fake BackupSource", () => {
  it("names the account its caller gives, fixes the header in one transaction, and reads every entry in pages, a page per turn", async () => {
    const { entries, fake } = source(1_005)
    const gathered = gatherBackup(fake, "ab".repeat(16), 1_700_000_000_000)
    expect(gathered.header).toMatchObject({ accountId: "ab".repeat(16), generation: 2, keysetVersion: 4, entryCount: 1_008, deviceName: "desk", createdAt: 1_700_000_000_000 })
    expect(fake.readsOutside).toBe(0)
    // Entries written after the gather began are not in this backup (its header counted those before).
    const laptop = entries.at(-1)!
    fake.entries = [...fake.entries, { ...laptop, seq: 4 }]
    let turns = 0
    const ticking = setInterval(() => (turns += 1), 0)
    const chunks = await collectBackup(gathered).finally(() => clearInterval(ticking))
    expect(fake.pagesRead).toBe(3) // desk: 8 (sizes unknown yet), then the 997 left (small ones: up to 1,000 a page); laptop: 3
    expect(turns).toBeGreaterThanOrEqual(1) // timers ran while it was gathered
    const backup = parseBackup(concatBytes(...chunks))
    // Device by device (by id), each in seq order.
    const byDevice = [...entries].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.seq - b.seq))
    expect(backup.entries.map((e) => `${e.deviceId}:${e.seq}`)).toEqual(byDevice.map((e) => `${e.deviceId}:${e.seq}`))
    expect(backup.trust.map((t) => t.name)).toEqual(["desk", "laptop"])
  })

  it("reads big entries (an import writes one a bucket) about a MiB a page, never a thousand of them at once", async () => {
    const account = makeAccount(["desk"])
    const big = sealEntries(account, account.devices[0], 1, 40, "x".repeat(100_000))
    const fake = new FakeSource(big, source(1).fake.getKeyset(), [trustOf(account.devices[0])])
    const chunks = await collectBackup(gatherBackup(fake, "ab".repeat(16), 1))
    const pages = chunks.slice(1)
    expect(fake.pagesRead).toBeGreaterThanOrEqual(4) // 4 MB of entries
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(1024 * 1024 + 101_000)
    expect(parseBackup(concatBytes(...chunks)).entries.map((e) => e.seq)).toEqual(big.map((e) => e.seq))
  })

  it("fails, instead of writing a backup short of its header, when the vault is wiped while it is gathered", async () => {
    const { fake } = source(2_500)
    const gathered = gatherBackup(fake, "ab".repeat(16), 1)
    const chunks = gathered.chunks[Symbol.asyncIterator]()
    await chunks.next() // the header
    await chunks.next() // the first page
    fake.entries = []
    await expect((async () => {
      while (!(await chunks.next()).done);
    })()).rejects.toMatchObject({ code: "TIMEOUT" })
  })

  it("refuses a source with no keyset (NO_ACCOUNT) and one still filling in a first sync's snapshot (TIMEOUT)", () => {
    const { account, fake } = source(2)
    const empty = new FakeSource([], undefined, [])
    expect(codeOf(() => gatherBackup(empty, toHex(account.accountId), 1))).toBe("NO_ACCOUNT")
    fake.floor = { [account.devices[1].deviceId]: 40 }
    expect(codeOf(() => gatherBackup(fake, toHex(account.accountId), 1))).toBe("TIMEOUT")
  })
})
