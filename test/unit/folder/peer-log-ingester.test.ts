import { appendFileSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { encodeEntries, encodeLogFile, logFileName } from "../../../src/folder/lvlog-format.js"
import { PeerLogIngester } from "../../../src/folder/peer-log-ingester.js"
import type { LogEntry } from "../../../src/store/log-entry.js"
import { makeAccount, sealEntries, tempDir } from "./folder-fixtures.js"

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

function setup(maxReadBytes?: number) {
  const account = makeAccount(["a", "b"])
  const [a, b] = account.devices
  const dir = tempDir("lanvault-ingest-")
  cleanups.push(dir.remove)
  mkdirSync(dir.path, { recursive: true })
  const delivered: LogEntry[][] = []
  const ingester = new PeerLogIngester(
    { store: a.store, logger: a.logger, accountId: account.accountId, onEntries: (e) => delivered.push(e) },
    { dir: dir.path, selfDeviceId: a.deviceId, maxReadBytes },
  )
  const file = join(dir.path, logFileName(b.deviceId))
  return { account, a, b, ingester, file, name: logFileName(b.deviceId), delivered }
}

describe("PeerLogIngester", () => {
  it("reads a file in capped chunks, an entry larger than the cap included", async () => {
    const { account, a, b, ingester, file, name, delivered } = setup(300)
    const small = sealEntries(account, b, 1, 5)
    const big = sealEntries(account, b, 6, 1, "x".repeat(2_000))
    const tail = sealEntries(account, b, 7, 3)
    writeFileSync(file, encodeLogFile([...small, ...big, ...tail]))
    await ingester.ingest(name)
    expect(a.store.head(b.deviceId)).toBe(9)
    expect(delivered.flat().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(ingester.errors()).toEqual([])
  })

  it("an unchanged file is not read again; growth is read from where it stopped", async () => {
    const { account, a, b, ingester, file, name, delivered } = setup()
    const entries = sealEntries(account, b, 1, 4)
    writeFileSync(file, encodeLogFile(entries.slice(0, 2)))
    await ingester.ingest(name)
    await ingester.ingest(name)
    expect(delivered).toHaveLength(1)
    appendFileSync(file, encodeEntries(entries.slice(2)))
    await ingester.ingest(name)
    expect(delivered.map((batch) => batch.map((e) => e.seq))).toEqual([[1, 2], [3, 4]])
    expect(a.store.head(b.deviceId)).toBe(4)
  })

  it("a file whose entries conflict with held ones is reported and nothing of it is stored", async () => {
    const { account, a, b, ingester, file, name } = setup()
    a.store.insertEntries(sealEntries(account, b, 1, 1))
    writeFileSync(file, encodeLogFile(sealEntries(account, b, 1, 2))) // another seq 1
    await ingester.ingest(name)
    expect(a.store.head(b.deviceId)).toBe(1)
    expect(ingester.errors()[0]).toContain(name)
  })

  it("a file that jumps in seq is corrupt after its good prefix", async () => {
    const { account, a, b, ingester, file, name } = setup()
    const entries = sealEntries(account, b, 1, 4)
    writeFileSync(file, encodeLogFile([entries[0], entries[1], entries[3]]))
    await ingester.ingest(name)
    expect(a.store.head(b.deviceId)).toBe(2)
    expect(ingester.errors()).toHaveLength(1)
  })
})
