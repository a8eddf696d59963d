import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { SqliteStore } from "../../../src/store/sqlite-store.js"
import { encodeMessage } from "../../../src/sync/messages.js"
import { linkPair } from "./memory-link.js"
import { appendOwn, connect, dump, makeAccount, revokeSigned, sealOwn, settle } from "./sync-fixtures.js"
import { NO_KEYSET } from "../../../src/store/keyset-rank.js"

const root = mkdtempSync(join(tmpdir(), "lanvault-sync-"))
const stores: SqliteStore[] = []
afterAll(() => {
  for (const store of stores) store.close()
  rmSync(root, { recursive: true, force: true })
})
let files = 0
function sqliteStore(): SqliteStore {
  const store = SqliteStore.open(join(root, `vault-${++files}.db`))
  stores.push(store)
  return store
}

describe("sync over SqliteStore", () => {
  it("three devices on SQLite converge in a line and agree on trust and keyset", async () => {
    const account = makeAccount(["a", "b", "c"], { batchEntries: 40 }, sqliteStore)
    const [a, b, c] = account.devices
    appendOwn(account, a, 150)
    appendOwn(account, c, 60)
    a.store.putKeyset(4, new Uint8Array(32).fill(4))
    revokeSigned(account.accountId, c.store, b.deviceId, 1)
    connect(a, b)
    await settle()
    expect(dump(b.store)).toEqual(dump(a.store))
    connect(a, c)
    await settle()
    expect(dump(c.store)).toEqual(dump(a.store))
    expect(c.store.getKeyset()?.version).toBe(4)
    // c had revoked b; a learned it and cut b off.
    expect(a.store.getTrust(b.deviceId)?.revokedAt).toBe(1)
    expect(a.replicator.sessions().map((s) => s.remoteDeviceId)).toEqual([c.deviceId])
  })

  it("a refused batch leaves nothing in SQLite", async () => {
    const account = makeAccount(["a", "x"], {}, sqliteStore)
    const [a, x] = account.devices
    const [toX, evil] = linkPair(a.deviceId, x.deviceId)
    a.replicator.addLink(toX)
    const [one, , three] = sealOwn(account, x, 1, 3)
    evil.send(encodeMessage({ type: "hello", vector: {}, keyset: NO_KEYSET, trust: [] }))
    evil.send(encodeMessage({ type: "entries", entries: [one, three] }))
    await settle()
    expect(evil.closedWith).toBe("protocol error")
    expect(a.store.head(x.deviceId)).toBe(0)
  })
})
